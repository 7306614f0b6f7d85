/**
 * The embedding map's UMAP layout (issue 17), with umap-js (the maintained JavaScript port of
 * UMAP, pure JavaScript: nothing to build for Electron's ABI). Pure: arrays in, coordinates out; it
 * runs on a thread of its own (umapWorker.ts), as it takes minutes.
 *
 * UMAP starts from each face's nearest neighbours. umap-js would find them itself by NN-descent
 * (107 s of 249 s for 35,000 faces in the measurement the README gives); the app already stores
 * every face's nearest neighbours by cosine similarity after each run (neighbour_lists, for the
 * neighbour label score), so those are handed over instead.
 */
import { UMAP } from 'umap-js'

/** Nearest neighbours by row: `k` rows per row of `n`, nearest first, -1 where there are fewer. */
export interface KnnRows {
  n: number
  k: number
  neighbours: Int32Array
  similarities: Float32Array
}

/**
 * The stored lists (by sample id) as rows of the layout's input (by position in `sampleIds`).
 * A neighbour that is not in the input (no embedding) counts as none.
 */
export function knnRows(
  lists: { k: number; sampleIds: Int32Array; neighbours: Int32Array; similarities: Float32Array },
  sampleIds: Int32Array
): KnnRows {
  const rowOf = new Map<number, number>()
  sampleIds.forEach((id, row) => rowOf.set(id, row))
  const { k } = lists
  const n = sampleIds.length
  const neighbours = new Int32Array(n * k).fill(-1)
  const similarities = new Float32Array(n * k)
  lists.sampleIds.forEach((id, listRow) => {
    const row = rowOf.get(id)
    if (row === undefined) return
    for (let j = 0; j < k; j++) {
      const other = rowOf.get(lists.neighbours[listRow * k + j])
      if (other === undefined) continue
      neighbours[row * k + j] = other
      similarities[row * k + j] = lists.similarities[listRow * k + j]
    }
  })
  return { n, k, neighbours, similarities }
}

/**
 * umap-js's input: per row itself first (UMAP's neighbour graph counts each point among its own
 * neighbours, at distance 0), then its neighbours at the Euclidean distance of unit vectors with
 * that cosine similarity, √(2 − 2s). A missing neighbour is the row itself again, which adds no edge.
 */
export function umapNeighbours(knn: KnnRows): { indices: number[][]; distances: number[][] } {
  const indices: number[][] = []
  const distances: number[][] = []
  for (let i = 0; i < knn.n; i++) {
    const row = [i]
    const dist = [0]
    for (let j = 0; j < knn.k; j++) {
      const other = knn.neighbours[i * knn.k + j]
      row.push(other < 0 ? i : other)
      dist.push(other < 0 ? 0 : Math.sqrt(Math.max(0, 2 - 2 * knn.similarities[i * knn.k + j])))
    }
    indices.push(row)
    distances.push(dist)
  }
  return { indices, distances }
}

/** Fewest faces UMAP is run on: more than its neighbourhood (k + itself), or umap-js refuses. */
export const minUmapFaces = (k: number): number => k + 2

/** A seeded generator (Park–Miller), so one dataset's layout is the same every time it is computed. */
function seeded(seed: number): () => number {
  let state = seed % 2147483647 || 1
  return () => (state = (state * 16807) % 2147483647) / 2147483647
}

export interface UmapOptions {
  /** Optimisation epochs; umap-js's own choice (200 above 10,000 points, 500 below) when absent. */
  epochs?: number
  seed?: number
  /** Called every few epochs with how many are done of how many. */
  onProgress?: (done: number, total: number) => void
}

/**
 * x, y per row in [-1, 1]. UMAP leaves a few faces far from every cluster; scaled by its extremes
 * (as pca2d is), the real FERPlus map filled under half the canvas. Each axis is scaled so that its
 * 1st to 99th percentile spans ±0.9, and the few beyond are drawn at the edge (clipped to ±1).
 */
export function umapLayout(knn: KnnRows, options: UmapOptions = {}): Float32Array {
  if (knn.n < minUmapFaces(knn.k)) throw new Error(`UMAP needs at least ${minUmapFaces(knn.k)} faces; this map has ${knn.n}`)
  const { indices, distances } = umapNeighbours(knn)
  const umap = new UMAP({ nComponents: 2, nNeighbors: knn.k + 1, random: seeded(options.seed ?? 17), nEpochs: options.epochs })
  umap.setPrecomputedKNN(indices, distances)
  // With the neighbours given, umap-js reads its input only for its length (the vectors would
  // matter to its transform() of new points, which the map does not use).
  const epochs = umap.initializeFit(Array.from({ length: knn.n }, () => []))
  const every = Math.max(1, Math.floor(epochs / 50))
  for (let e = 0; e < epochs; e++) {
    umap.step()
    if ((e + 1) % every === 0 || e + 1 === epochs) options.onProgress?.(e + 1, epochs)
  }
  return fitToSquare(umap.getEmbedding())
}

/** Each axis: its 1st–99th percentile to ±0.9, the rest clipped to ±1. */
export function fitToSquare(points: number[][]): Float32Array {
  const out = new Float32Array(points.length * 2)
  for (let axis = 0; axis < 2; axis++) {
    const sorted = Float64Array.from(points, (p) => p[axis]).sort()
    const lo = sorted[Math.floor(0.01 * (sorted.length - 1))]
    const hi = sorted[Math.ceil(0.99 * (sorted.length - 1))]
    const mid = (lo + hi) / 2
    const half = (hi - lo) / 2 || 1
    points.forEach((p, i) => (out[2 * i + axis] = Math.max(-1, Math.min(1, (0.9 * (p[axis] - mid)) / half))))
  }
  return out
}
