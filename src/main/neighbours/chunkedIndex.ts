/**
 * Exact k-nearest search for many queries at once over many vectors: the vectors are held in chunks
 * of CHUNK columns ([dim, CHUNK] each, the layout the search graph reads), every chunk is searched
 * with the whole batch of queries, and the chunks' best k are merged. Built for the near-duplicate
 * search (600,000 descriptors against 600,000 queries at AffectNet's size), where one call per
 * batch over all columns reread the whole base for a few dozen queries: in a one-off probe on these
 * 2 cores, 26 query rows × 600,000 columns cost 2–5 ns a pair, 128 rows × 65,536 columns 1.4 ns.
 */
import { ColumnIndex, type Hits } from './search'

/** Columns per chunk: with 128 query rows, a call's score matrix is 32 MB. */
const CHUNK = 65536

interface Chunk {
  index: ColumnIndex
  /** The chunk's first column in the whole index. */
  offset: number
}

export class ChunkedIndex {
  private readonly chunks: Chunk[] = []

  /**
   * `size` vectors of `dim` values; `fill(i, out)` writes vector i into `out` (unit length, or zero
   * for one that is similar to nothing). Only the chunked copy is kept.
   */
  constructor(
    readonly size: number,
    readonly dim: number,
    fill: (i: number, out: Float32Array) => void,
    chunk = CHUNK
  ) {
    const v = new Float32Array(dim)
    for (let offset = 0; offset < size; offset += chunk) {
      const width = Math.min(chunk, size - offset)
      const columns = new Float32Array(dim * width)
      for (let c = 0; c < width; c++) {
        fill(offset + c, v)
        for (let d = 0; d < dim; d++) columns[d * width + c] = v[d]
      }
      this.chunks.push({ index: new ColumnIndex(columns, dim), offset })
    }
  }

  /** The k most similar vectors to each query (q unit rows of dim values), most similar first. */
  async search(queries: Float32Array, k: number): Promise<Hits> {
    const q = queries.length / this.dim
    const kk = Math.min(k, this.size)
    const similarities = new Float32Array(q * kk).fill(-Infinity)
    const rows = new Int32Array(q * kk).fill(-1)
    for (const { index, offset } of this.chunks) {
      const hits = await index.search(queries, kk)
      for (let r = 0; r < q; r++) {
        const first = r * kk
        for (let h = 0; h < hits.k; h++) {
          const s = hits.similarities[r * hits.k + h]
          // A chunk's hits come most similar first: once one misses the list, the rest do too.
          if (!(s > similarities[first + kk - 1])) break
          let at = first + kk - 1
          for (; at > first && similarities[at - 1] < s; at--) {
            similarities[at] = similarities[at - 1]
            rows[at] = rows[at - 1]
          }
          similarities[at] = s
          rows[at] = offset + hits.rows[r * hits.k + h]
        }
      }
    }
    return { rows, similarities, k: kk }
  }
}
