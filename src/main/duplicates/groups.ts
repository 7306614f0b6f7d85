/**
 * Duplicate groups: samples with the same decoded pixels (the same pixel key) are exact duplicates,
 * and contents that the near-duplicate search paired (./nearSearch.ts) are near ones. Groups are the
 * connected components of both relations (union-find). Pure: plain data in, plain data out.
 */

export interface DuplicateCandidate {
  sampleId: number
  /** Equal for samples of the same decoded pixels. */
  pixelKey: string
}

/** Each sample that has a duplicate → its group's id (the smallest sample id in the group). */
export function groupDuplicates(
  samples: readonly DuplicateCandidate[],
  nearPairs: Iterable<readonly [string, string]>
): Map<number, number> {
  const itemOf = new Map<string, number>()
  const sampleItem = samples.map((s) => {
    let at = itemOf.get(s.pixelKey)
    if (at === undefined) itemOf.set(s.pixelKey, (at = itemOf.size))
    return at
  })
  const parent = Int32Array.from({ length: itemOf.size }, (_, i) => i)
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]]
    return x
  }
  // Taken one at a time (millions at AffectNet's size). A key no sample has joins nothing to a sample.
  for (const [keyA, keyB] of nearPairs) {
    const i = itemOf.get(keyA)
    const j = itemOf.get(keyB)
    if (i === undefined || j === undefined) continue
    const a = find(i)
    const b = find(j)
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b)
  }
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
