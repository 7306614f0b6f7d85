/**
 * Exact k-nearest-neighbour search by cosine over a dataset's embeddings for one model (issue 17):
 * every vector is compared with the query, in onnxruntime (similarityGraph.ts). `npm run
 * bench:neighbours` measures one query at 35k and at a synthetic 1M against the targets (50 ms and
 * 200 ms); exact search meets both there, so no approximate index is used (README, "More like this").
 */
import * as ort from 'onnxruntime-node'
import { similarityGraph } from './similarityGraph'

let session: Promise<ort.InferenceSession> | null = null

/** One session for the process: the graph has no weights, so every index shares it. */
function similaritySession(): Promise<ort.InferenceSession> {
  session ??= ort.InferenceSession.create(similarityGraph(), {
    executionProviders: ['cpu'],
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: '0' } } }
  })
  return session
}

/** Rows scaled to unit length in place (a zero row stays zero: it is similar to nothing). */
export function normaliseRows(vectors: Float32Array, dim: number): Float32Array {
  for (let o = 0; o < vectors.length; o += dim) {
    let sum = 0
    for (let j = 0; j < dim; j++) sum += vectors[o + j] * vectors[o + j]
    const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0
    for (let j = 0; j < dim; j++) vectors[o + j] *= scale
  }
  return vectors
}

/**
 * Row-major [n, dim] → [dim, n], each row scaled to unit length on the way (a zero row stays zero):
 * the layout the graph's MatMul reads the base in, made without changing or copying the input first.
 */
function normalisedColumns(rows: Float32Array, n: number, dim: number): Float32Array {
  const out = new Float32Array(rows.length)
  for (let i = 0; i < n; i++) {
    let sum = 0
    for (let j = 0; j < dim; j++) sum += rows[i * dim + j] * rows[i * dim + j]
    const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0
    for (let j = 0; j < dim; j++) out[j * n + i] = rows[i * dim + j] * scale
  }
  return out
}

export interface Hits {
  /** Row numbers in the index, k per query, nearest first. */
  rows: Int32Array
  similarities: Float32Array
  k: number
}

/**
 * Vectors held only as the graph reads them, [dim, n] (each column one unit vector), for callers that
 * build that layout themselves and need no row back: the near-duplicate search's 600,000 descriptors
 * at AffectNet's size would otherwise be held twice (150 MB each).
 */
export class ColumnIndex {
  private readonly base: ort.Tensor

  /** `columns`: dim × size values, column j of row d at d × size + j; unit length each, or zero. */
  constructor(
    columns: Float32Array,
    readonly dim: number
  ) {
    this.base = new ort.Tensor('float32', columns, [dim, dim === 0 ? 0 : columns.length / dim])
  }

  get size(): number {
    return this.base.dims[1]
  }

  /** The k most similar columns to each query (q unit rows of dim values). */
  async search(queries: Float32Array, k: number): Promise<Hits> {
    const q = queries.length / this.dim
    const kk = Math.min(k, this.size)
    if (q === 0 || kk === 0) return { rows: new Int32Array(0), similarities: new Float32Array(0), k: kk }
    const out = await (
      await similaritySession()
    ).run({
      queries: new ort.Tensor('float32', queries, [q, this.dim]),
      base: this.base,
      k: new ort.Tensor('int64', BigInt64Array.from([BigInt(kk)]), [1])
    })
    const index = out.index.data as BigInt64Array
    return { rows: Int32Array.from(index, Number), similarities: out.similarity.data as Float32Array, k: kk }
  }
}

/**
 * An index over row vectors. It holds one copy of them, normalised and transposed: at 1M faces × 192
 * an embedding table is 768 MB, and the row-major copy this once kept beside it doubled that.
 */
export class NeighbourIndex {
  private readonly base: Float32Array
  private readonly columns: ColumnIndex

  /** `vectors`: n rows of `dim` values, row-major; left as they are. */
  constructor(
    vectors: Float32Array,
    readonly dim: number
  ) {
    this.base = normalisedColumns(vectors, dim === 0 ? 0 : vectors.length / dim, dim)
    this.columns = new ColumnIndex(this.base, dim)
  }

  get size(): number {
    return this.columns.size
  }

  /** The normalised vector of row `i` (a copy, gathered from the columns). */
  row(i: number): Float32Array {
    const out = new Float32Array(this.dim)
    for (let d = 0; d < this.dim; d++) out[d] = this.base[d * this.size + i]
    return out
  }

  /** The k most similar rows to each query (q rows of dim values, normalised by the caller or not). */
  search(queries: Float32Array, k: number): Promise<Hits> {
    return this.columns.search(normaliseRows(Float32Array.from(queries), this.dim), k)
  }
}
