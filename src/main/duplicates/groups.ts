import { faceDistance, type PerceptualHashes } from './perceptualHash'

/**
 * Duplicate groups from fingerprints: exact duplicates share decoded pixels (the same pixel key),
 * near duplicates have perceptual hashes within `maxDistance` bits (a face and its mirror image
 * count as the same face). Groups are the connected components of both relations (union-find).
 * Pure: plain data in, plain data out.
 */

/**
 * Every pair of hashes within `maxDistance` bits, each reported at least once, without comparing all
 * pairs (35k faces are 600 million pairs). Multi-index hashing: the 64 bits are cut into four
 * 16-bit chunks; two hashes within d bits agree within ⌊d / 4⌋ bits on at least one chunk
 * (pigeonhole), so each hash (and its mirror) looks up only the buckets of its chunks' values and
 * their neighbours within that radius, and only those candidates are compared in full.
 */
export function nearPairs(
  items: readonly (PerceptualHashes | null)[],
  maxDistance: number,
  onPair: (i: number, j: number, distance: number) => void
): void {
  const radius = Math.floor(maxDistance / 4)
  const masks = masksWithin(radius)
  const n = items.length
  const chunk = (h: { hi: number; lo: number }, c: number): number =>
    c === 0 ? h.lo & 0xffff : c === 1 ? h.lo >>> 16 : c === 2 ? h.hi & 0xffff : h.hi >>> 16
  // One bucket table per chunk, in compressed form: start offsets into one array of item indexes.
  const tables = [0, 1, 2, 3].map((c) => {
    const starts = new Int32Array(65537)
    for (const item of items) if (item) starts[chunk(item.hash, c) + 1]++
    for (let k = 0; k < 65536; k++) starts[k + 1] += starts[k]
    const fill = starts.slice(0, 65536)
    const members = new Int32Array(starts[65536])
    items.forEach((item, i) => {
      if (item) members[fill[chunk(item.hash, c)]++] = i
    })
    return { starts, members }
  })
  const seen = new Int32Array(n).fill(-1)
  for (let i = 0; i < n; i++) {
    const item = items[i]
    if (!item) continue
    for (const query of [item.hash, item.mirror]) {
      for (let c = 0; c < 4; c++) {
        const { starts, members } = tables[c]
        const key = chunk(query, c)
        for (const mask of masks) {
          const bucket = key ^ mask
          for (let p = starts[bucket]; p < starts[bucket + 1]; p++) {
            const j = members[p]
            if (j === i || seen[j] === i) continue
            seen[j] = i
            const distance = faceDistance(item, items[j] as PerceptualHashes)
            if (distance <= maxDistance) onPair(i, j, distance)
          }
        }
      }
    }
  }
}

/** Every 16-bit value with at most `radius` bits set. */
function masksWithin(radius: number): number[] {
  const out: number[] = []
  for (let m = 0; m < 65536; m++) {
    let bits = 0
    for (let x = m; x; x &= x - 1) bits++
    if (bits <= radius) out.push(m)
  }
  return out
}

export interface DuplicateCandidate {
  sampleId: number
  /** Equal for samples of the same decoded pixels. */
  pixelKey: string
  /** Null where the image could not be decoded: it can still be an exact duplicate by its key. */
  hashes: PerceptualHashes | null
}

/** Each sample that has a duplicate → its group's id (the smallest sample id in the group). */
export function groupDuplicates(samples: readonly DuplicateCandidate[], maxDistance: number): Map<number, number> {
  const itemOf = new Map<string, number>()
  const items: (PerceptualHashes | null)[] = []
  const sampleItem = samples.map((s) => {
    let item = itemOf.get(s.pixelKey)
    if (item === undefined) {
      item = items.length
      itemOf.set(s.pixelKey, item)
      items.push(s.hashes)
    }
    return item
  })
  const parent = Int32Array.from(items, (_, i) => i)
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]]
    return x
  }
  nearPairs(items, maxDistance, (i, j) => {
    const a = find(i)
    const b = find(j)
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b)
  })
  const members = new Map<number, number[]>()
  samples.forEach((s, k) => {
    const root = find(sampleItem[k])
    const list = members.get(root)
    if (list) list.push(s.sampleId)
    else members.set(root, [s.sampleId])
  })
  const groupOf = new Map<number, number>()
  for (const list of members.values()) {
    if (list.length < 2) continue
    const id = list.reduce((a, b) => (b < a ? b : a))
    for (const sampleId of list) groupOf.set(sampleId, id)
  }
  return groupOf
}
