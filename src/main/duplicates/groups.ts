import { faceDistance, type Hash64, type PerceptualHashes } from './perceptualHash'

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
  const masks = Int32Array.from(masksWithin(Math.floor(maxDistance / 4)))
  const n = items.length
  const bitsOf = (h: Hash64): Uint8Array => {
    const out = new Uint8Array(64)
    for (let k = 0; k < 64; k++) out[k] = k < 32 ? (h.lo >>> k) & 1 : (h.hi >>> (k - 32)) & 1
    return out
  }
  const hashBits = items.map((item) => (item ? bitsOf(item.hash) : null))
  const chunkOfBit = balancedChunks(hashBits)
  const keysOf = (bits: Uint8Array): Int32Array => {
    const keys = new Int32Array(4)
    for (let k = 0; k < 64; k++) keys[chunkOfBit[k] >> 4] |= bits[k] << (chunkOfBit[k] & 15)
    return keys
  }
  const own = hashBits.map((bits) => (bits ? keysOf(bits) : null))
  // The hashes as flat halves, so the full comparison reads typed arrays, not objects.
  const hi = new Uint32Array(n)
  const lo = new Uint32Array(n)
  items.forEach((item, i) => {
    if (item) {
      hi[i] = item.hash.hi
      lo[i] = item.hash.lo
    }
  })
  // One bucket table per chunk, in compressed form: start offsets into one array of item indexes.
  const tables = [0, 1, 2, 3].map((c) => {
    const starts = new Int32Array(65537)
    for (const keys of own) if (keys) starts[keys[c] + 1]++
    for (let k = 0; k < 65536; k++) starts[k + 1] += starts[k]
    const fill = starts.slice(0, 65536)
    const members = new Int32Array(starts[65536])
    own.forEach((keys, i) => {
      if (keys) members[fill[keys[c]]++] = i
    })
    return { starts, members }
  })
  // seen[j] = 2i + 1 once j was compared with i's hash, 2i + 2 with its mirror: each pair once per query.
  const seen = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const item = items[i]
    if (!item) continue
    for (let q = 0; q < 2; q++) {
      const query = q === 0 ? item.hash : item.mirror
      const keys = q === 0 ? (own[i] as Int32Array) : keysOf(bitsOf(item.mirror))
      const mark = 2 * i + 1 + q
      for (let c = 0; c < 4; c++) {
        const { starts, members } = tables[c]
        for (let m = 0; m < masks.length; m++) {
          const bucket = keys[c] ^ masks[m]
          for (let p = starts[bucket]; p < starts[bucket + 1]; p++) {
            const j = members[p]
            if (j === i || seen[j] === mark) continue
            seen[j] = mark
            const d = popcount32((query.hi ^ hi[j]) >>> 0) + popcount32((query.lo ^ lo[j]) >>> 0)
            // Reported from either side, with the symmetric distance (i's mirror against j, or j's against i).
            if (d <= maxDistance) onPair(i, j, faceDistance(item, items[j] as PerceptualHashes))
          }
        }
      }
    }
  }
}

/**
 * Which chunk (high 2 bits) and position in it (low 4 bits) each hash bit takes, chosen from the
 * data: bits sorted by how evenly they split the dataset, dealt round-robin to the four chunks.
 * Aligned faces share their lowest frequencies, so chunks cut in bit order would put near-constant
 * bits together, and their buckets would hold thousands of faces each.
 */
function balancedChunks(hashBits: readonly (Uint8Array | null)[]): Uint8Array {
  const ones = new Float64Array(64)
  let count = 0
  for (const bits of hashBits) {
    if (!bits) continue
    count++
    for (let k = 0; k < 64; k++) ones[k] += bits[k]
  }
  const order = Array.from({ length: 64 }, (_, k) => k).sort(
    (a, b) => Math.abs(ones[a] / Math.max(1, count) - 0.5) - Math.abs(ones[b] / Math.max(1, count) - 0.5) || a - b
  )
  const chunkOfBit = new Uint8Array(64)
  order.forEach((k, rank) => (chunkOfBit[k] = ((rank & 3) << 4) | (rank >> 2)))
  return chunkOfBit
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  x = (x + (x >>> 4)) & 0x0f0f0f0f
  return Math.imul(x, 0x01010101) >>> 24
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
