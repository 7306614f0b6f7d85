import type { NeighbourIndex } from './search'

/** Rows searched at once: [batch, n] similarities (35k faces: 36 MB) stay small while MatMul stays efficient. */
const BATCH = 256

export interface NeighbourLists {
  k: number
  /** k row numbers per row, nearest first; -1 where fewer than k other images exist. */
  rows: Int32Array
  similarities: Float32Array
}

/**
 * Every row's k nearest other rows, leaving out itself and rows of the same `group` (identical
 * files: the same face twice is not a neighbour that says anything about its label).
 */
export async function allNeighbours(index: NeighbourIndex, group: ArrayLike<number>, k: number): Promise<NeighbourLists> {
  const n = index.size
  const groupSize = new Map<number, number>()
  for (let i = 0; i < n; i++) groupSize.set(group[i], (groupSize.get(group[i]) ?? 0) + 1)
  // Itself and its copies come first (similarity 1): ask for that many more.
  const extra = Math.max(0, ...groupSize.values())
  const rows = new Int32Array(n * k).fill(-1)
  const similarities = new Float32Array(n * k)
  for (let from = 0; from < n; from += BATCH) {
    const to = Math.min(n, from + BATCH)
    const queries = new Float32Array((to - from) * index.dim)
    for (let i = from; i < to; i++) queries.set(index.row(i), (i - from) * index.dim)
    const hits = await index.search(queries, k + extra)
    for (let i = from; i < to; i++) {
      let kept = 0
      for (let h = 0; h < hits.k && kept < k; h++) {
        const r = hits.rows[(i - from) * hits.k + h]
        if (group[r] === group[i]) continue
        rows[i * k + kept] = r
        similarities[i * k + kept] = hits.similarities[(i - from) * hits.k + h]
        kept++
      }
    }
  }
  return { k, rows, similarities }
}
