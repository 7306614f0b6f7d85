/**
 * Near-duplicate pairs among a dataset's distinct contents (issue 17), from their thumbnails:
 * the coarse step proposes, for each face and for its mirror image, the CANDIDATES faces whose coarse
 * descriptors (whole, or centre zoomed in) correlate best with it, found exactly by onnxruntime
 * (the MatMul + TopK graph of "more like this"); the verifier (./nearMatch.ts) then scores each
 * proposed pair once; pairs at or above NEAR_DUPLICATE_SCORE are near duplicates.
 *
 * Cost: the coarse search is 2n × 2n × 64 multiply-adds, the verifier up to 2 × CANDIDATES pairs a
 * face. Both grow with n (the first with n²): the whole duplicate search behind an open took 38 s
 * for FERPlus (`npm run bench:open`) and 1,794 s for 300,000 faces (`npm run bench:scale`, of which
 * the comparison about 870 s), so it runs behind the open with its own progress.
 */
import { ChunkedIndex } from '../neighbours/chunkedIndex'
import { COARSE_DIM, CROP_ZOOM, coarseDescriptor, edgeImage, matchScore, prepareFace, type PreparedFace } from './nearMatch'
import { THUMB_BYTES } from './thumbnail'

/**
 * The verifier's score at which two faces count as the same photo. `npm run bench:duplicates` tunes
 * on half of its held-out copies (the lowest score whose precision is ≥ 99 % there: 0.84) and
 * reports the other half; 0.90 keeps a margin (recall 97.3 % at 99.98 %), because the copies'
 * neighbourhoods are not the whole dataset: two frames of one shoot reach 0.88–0.93.
 */
export const NEAR_DUPLICATE_SCORE = 0.9

/**
 * Pairs scoring at least this are kept with their score (a dataset's near_duplicate_pairs), though
 * only those at NEAR_DUPLICATE_SCORE group: so the benchmark can weigh other thresholds on what the
 * app stored, and a person can see how close the next-closest faces came.
 */
export const CLOSE_PAIR_SCORE = 0.8

/** Candidates kept per face and per orientation (as it is, mirrored); `npm run bench:duplicates` measures recall with 8. */
const CANDIDATES = 8
/** Faces searched together, each as two queries (as it is, mirrored): many, so each chunk of the index is read once for all of them. */
const QUERY_FACES = 64
/** The verifier hands the event loop back this often, so the app answers while it runs. */
const SLICE_MS = 25

/**
 * Pairs found, as parallel arrays (pair p: faces a[p] < b[p], its score): at AffectNet's size they
 * run to millions (the synthetic 300k set has ~70 copies of each photo), and an object a pair,
 * keyed by a string to merge them, took the search's memory past 2 GB.
 */
export interface NearPairs {
  a: Int32Array
  b: Int32Array
  score: Float64Array
}

/** Pairs as they are scored, in typed arrays that double when full. */
class PairList {
  count = 0
  private pairs: NearPairs = { a: new Int32Array(1024), b: new Int32Array(1024), score: new Float64Array(1024) }

  push(a: number, b: number, score: number): void {
    if (this.count === this.pairs.a.length) {
      const grow = <T extends Int32Array | Float64Array>(old: T, next: T): T => (next.set(old), next)
      const size = 2 * this.count
      this.pairs = {
        a: grow(this.pairs.a, new Int32Array(size)),
        b: grow(this.pairs.b, new Int32Array(size)),
        score: grow(this.pairs.score, new Float64Array(size))
      }
    }
    this.pairs.a[this.count] = a
    this.pairs.b[this.count] = b
    this.pairs.score[this.count++] = score
  }

  /** The score of the pair pushed last. */
  get lastScore(): number {
    return this.pairs.score[this.count - 1]
  }

  set lastScore(score: number) {
    this.pairs.score[this.count - 1] = score
  }

  get(): NearPairs {
    const { a, b, score } = this.pairs
    return { a: a.subarray(0, this.count), b: b.subarray(0, this.count), score: score.subarray(0, this.count) }
  }
}

export interface NearSearchOptions {
  signal?: AbortSignal
  /** done of total steps: the coarse search counts n, the verifier n. */
  onProgress?: (done: number, total: number) => void
}

const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Thumbnail i of a packed set (a view). */
const thumbAt = (thumbs: Uint8Array, i: number): Uint8Array => thumbs.subarray(i * THUMB_BYTES, (i + 1) * THUMB_BYTES)

/**
 * Every pair among `thumbs` (n thumbnails packed one after another: one array rather than n, whose
 * per-object cost at 300,000 faces is itself tens of megabytes) that scores at least
 * CLOSE_PAIR_SCORE, indexes a < b, each with its verifier score. A flat thumbnail pairs with nothing.
 */
export async function findNearDuplicates(thumbs: Uint8Array, options: NearSearchOptions = {}): Promise<NearPairs> {
  const n = thumbs.length / THUMB_BYTES
  const { signal, onProgress } = options
  const pairs = new PairList()
  if (n < 2) return pairs.get()
  const candidates = await coarseCandidates(thumbs, options)
  const width = 2 * CANDIDATES
  // Whether j proposed i in orientation m: then the pair was scored when j's turn came.
  const proposed = (j: number, i: number, m: number): boolean => {
    for (let c = j * width; c < (j + 1) * width; c++) if (candidates[c] === i * 2 + m) return true
    return false
  }
  let slice = performance.now()
  for (let i = 0; i < n; i++) {
    const prepared: (PreparedFace | null)[] = [null, null]
    for (let c = i * width; c < (i + 1) * width; c++) {
      const hit = candidates[c]
      if (hit < 0) continue
      const j = hit >> 1
      const m = hit & 1
      if (j === i || (j < i && proposed(j, i, m))) continue
      prepared[m] ??= prepareFace(edgeImage(thumbAt(thumbs, i), m === 1))
      const score = matchScore(prepared[m], edgeImage(thumbAt(thumbs, j)))
      if (score >= CLOSE_PAIR_SCORE) pairs.push(Math.min(i, j), Math.max(i, j), score)
    }
    if (performance.now() - slice > SLICE_MS) {
      onProgress?.(n + i + 1, 2 * n)
      await yieldToEvents()
      signal?.throwIfAborted()
      slice = performance.now()
    }
  }
  onProgress?.(2 * n, 2 * n)
  return mergePairs(pairs.get(), n)
}

/**
 * For each face i, 2 × CANDIDATES proposals (j × 2 + m, m = 1 when i's mirror image proposed j; −1
 * for none), j never repeated within one orientation. Faces are compared whole and with the
 * other's centre zoomed in (a crop of it), so a shifted, brightened or cropped copy is proposed.
 */
async function coarseCandidates(thumbs: Uint8Array, options: NearSearchOptions): Promise<Int32Array> {
  const n = thumbs.length / THUMB_BYTES
  // Each face whole (vectors 0…n−1) and with its centre zoomed in (n…2n−1). Descriptors are zero-mean
  // and unit length (zero for a flat face), so dot products are correlations.
  const index = new ChunkedIndex(2 * n, COARSE_DIM, (v, out) =>
    coarseDescriptor(thumbAt(thumbs, v % n), out, 0, v < n ? {} : { zoom: CROP_ZOOM })
  )
  const width = 2 * CANDIDATES
  const out = new Int32Array(n * width).fill(-1)
  // The index's rows hold 2n + 1 candidates at most; asking one more than CANDIDATES leaves room
  // for the face itself and for a face found both whole and zoomed.
  const k = Math.min(2 * n, 2 * CANDIDATES + 1)
  for (let start = 0; start < n; start += QUERY_FACES) {
    const end = Math.min(n, start + QUERY_FACES)
    const queries = new Float32Array(2 * (end - start) * COARSE_DIM)
    for (let i = start; i < end; i++) {
      coarseDescriptor(thumbAt(thumbs, i), queries, 2 * (i - start) * COARSE_DIM)
      coarseDescriptor(thumbAt(thumbs, i), queries, (2 * (i - start) + 1) * COARSE_DIM, { mirrored: true })
    }
    const hits = await index.search(queries, k)
    for (let q = 0; q < 2 * (end - start); q++) {
      const i = start + (q >> 1)
      const m = q & 1
      let kept = 0
      const at = i * width + m * CANDIDATES
      for (let h = 0; h < hits.k && kept < CANDIDATES; h++) {
        // A flat face's descriptor is zero and correlates 0 with everything: never a candidate.
        if (hits.similarities[q * hits.k + h] <= 0) break
        const j = hits.rows[q * hits.k + h] % n
        if (j === i) continue
        let repeated = false
        for (let c = at; c < at + kept; c++) if (out[c] >> 1 === j) repeated = true
        if (!repeated) out[at + kept++] = j * 2 + m
      }
    }
    options.onProgress?.(end, 2 * n)
    options.signal?.throwIfAborted()
  }
  return out
}

/**
 * One entry per pair (both orientations, and both faces' turns, may score it: the best score is
 * kept), ordered by a then b. A counting sort by a, then each a's few pairs sorted by b: linear in
 * the pairs, with no key strings.
 */
function mergePairs(pairs: NearPairs, n: number): NearPairs {
  const count = pairs.a.length
  const start = new Int32Array(n + 1)
  for (let p = 0; p < count; p++) start[pairs.a[p] + 1]++
  for (let i = 0; i < n; i++) start[i + 1] += start[i]
  const next = start.slice(0, n)
  const order = new Int32Array(count)
  for (let p = 0; p < count; p++) order[next[pairs.a[p]]++] = p
  const merged = new PairList()
  for (let a = 0; a < n; a++) {
    const bucket = order.subarray(start[a], start[a + 1]).sort((x, y) => pairs.b[x] - pairs.b[y])
    let last = -1
    for (const p of bucket) {
      if (pairs.b[p] !== last) merged.push(a, (last = pairs.b[p]), pairs.score[p])
      else if (pairs.score[p] > merged.lastScore) merged.lastScore = pairs.score[p]
    }
  }
  return merged.get()
}
