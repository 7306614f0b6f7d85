/**
 * Whether two faces are the same photo, from their 32-px thumbnails (./thumbnail.ts). Pure maths over
 * typed arrays; the search that picks which pairs to compare is ./nearSearch.ts.
 *
 * Two steps, because comparing every pair carefully is out of reach (35,000 faces are 600 million
 * pairs):
 * - a coarse descriptor, the thumbnail shrunk to 8 × 8 with its mean taken away and scaled to unit
 *   length, so a dot product is a correlation that brightness and contrast do not move. Each face
 *   also gets one of its centre zoomed in by CROP_ZOOM: a cropped copy looks like its original zoomed
 *   in, and would otherwise be far from it;
 * - a verifier for the few pairs the coarse step proposes: the normalised correlation of the two
 *   faces' edge images (blurred gradient magnitude) at the best of a few zooms and integer shifts.
 *   Edges, not grey levels, because FER faces are aligned and alike in their low frequencies: two
 *   different people's 32-px faces correlate at 0.95 in grey levels, but the edges of eyes, brows,
 *   mouth and hair of one photo only line up with the same photo's.
 */
import { THUMB_SIDE } from './thumbnail'

const S = THUMB_SIDE
export const COARSE_SIDE = 8
export const COARSE_DIM = COARSE_SIDE * COARSE_SIDE
/** A crop of 8 % off every side, resized back, is the original zoomed in by 1 / 0.84 ≈ 1.2. */
export const CROP_ZOOM = 1.2
/** The verifier's zooms: either face may be the crop of the other. */
const ZOOMS = [1, 1.1, CROP_ZOOM, 1 / 1.1, 1 / CROP_ZOOM]
/** Border left out of the compared window, so every shift and zoom reads inside the thumbnail. */
const MARGIN = 5
const WINDOW = S - 2 * MARGIN
/** Shifts tried, in thumbnail pixels (3 px at 32 ≈ 4.5 px of a 48-px face). */
const MAX_SHIFT = 3

/** Bilinear sample of a side × side image at (x, y), clamped inside it. */
function sample(img: ArrayLike<number>, side: number, x: number, y: number): number {
  const x0 = Math.max(0, Math.min(side - 2, Math.floor(x)))
  const y0 = Math.max(0, Math.min(side - 2, Math.floor(y)))
  const fx = Math.max(0, Math.min(1, x - x0))
  const fy = Math.max(0, Math.min(1, y - y0))
  const at = y0 * side + x0
  return (
    img[at] * (1 - fx) * (1 - fy) + img[at + 1] * fx * (1 - fy) + img[at + side] * (1 - fx) * fy + img[at + side + 1] * fx * fy
  )
}

/** Zero mean and unit length, in place (a flat image stays all zeros: it resembles nothing). */
function centreAndScale(v: Float32Array): void {
  let mean = 0
  for (let i = 0; i < v.length; i++) mean += v[i]
  mean /= v.length
  let sum = 0
  for (let i = 0; i < v.length; i++) {
    v[i] -= mean
    sum += v[i] * v[i]
  }
  const scale = sum > 1e-12 ? 1 / Math.sqrt(sum) : 0
  for (let i = 0; i < v.length; i++) v[i] *= scale
}

/**
 * The coarse descriptor of a thumbnail, written into `out` at `offset`: its centre zoomed in by `zoom`
 * (1: the whole face), optionally mirrored, averaged down to 8 × 8, centred and scaled.
 */
export function coarseDescriptor(
  thumb: Uint8Array,
  out: Float32Array,
  offset: number,
  options: { zoom?: number; mirrored?: boolean } = {}
): void {
  const zoom = options.zoom ?? 1
  const cell = S / COARSE_SIDE
  const c = (S - 1) / 2
  const v = out.subarray(offset, offset + COARSE_DIM)
  v.fill(0)
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      const value = zoom === 1 ? thumb[y * S + x] : sample(thumb, S, c + (x - c) / zoom, c + (y - c) / zoom)
      const cx = Math.floor(x / cell)
      v[Math.floor(y / cell) * COARSE_SIDE + (options.mirrored ? COARSE_SIDE - 1 - cx : cx)] += value
    }
  centreAndScale(v)
}

/** Working rows for edgeImage, reused: it runs once or twice per pair compared (~500,000 on FERPlus). */
const mirroredScratch = new Uint8Array(S * S)
const gradScratch = new Float32Array(S * S)
const acrossScratch = new Float32Array(S * S)

/** The edge image of a thumbnail: gradient magnitude (central differences) blurred by a 3 × 3 mean. */
export function edgeImage(thumb: Uint8Array, mirrored = false): Float32Array {
  let img = thumb
  if (mirrored) {
    img = mirroredScratch
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) img[y * S + x] = thumb[y * S + S - 1 - x]
  }
  const grad = gradScratch
  for (let y = 1; y < S - 1; y++)
    for (let x = 1, at = y * S + 1; x < S - 1; x++, at++) {
      const gx = img[at + 1] - img[at - 1]
      const gy = img[at + S] - img[at - S]
      grad[at] = Math.sqrt(gx * gx + gy * gy)
    }
  // The 3 × 3 mean as two passes of three (rows, then columns).
  const across = acrossScratch
  for (let y = 1; y < S - 1; y++)
    for (let x = 1; x < S - 1; x++) across[y * S + x] = grad[y * S + x - 1] + grad[y * S + x] + grad[y * S + x + 1]
  const out = new Float32Array(S * S)
  for (let y = 1; y < S - 1; y++)
    for (let x = 1; x < S - 1; x++) out[y * S + x] = (across[(y - 1) * S + x] + across[y * S + x] + across[(y + 1) * S + x]) / 9
  return out
}

/**
 * One face prepared as the verifier's first argument: the central window of its edge image at each
 * zoom, centred and scaled, so a comparison is one dot product per shift.
 */
export type PreparedFace = Float32Array[]

export function prepareFace(edges: Float32Array): PreparedFace {
  const c = (S - 1) / 2
  return ZOOMS.map((zoom) => {
    const w = new Float32Array(WINDOW * WINDOW)
    for (let y = 0; y < WINDOW; y++)
      for (let x = 0; x < WINDOW; x++)
        w[y * WINDOW + x] = sample(edges, S, c + (x + MARGIN - c) / zoom, c + (y + MARGIN - c) / zoom)
    centreAndScale(w)
    return w
  })
}

/**
 * One face prepared as the verifier's second argument: its edge image, and running sums of it and
 * of its square (summed-area tables, (S + 1)² each), so a shifted window's mean and spread cost four
 * reads instead of a pass over it.
 */
export interface TargetFace {
  edges: Float32Array
  sum: Float64Array
  sumSq: Float64Array
}

export function targetFace(edges: Float32Array): TargetFace {
  const W = S + 1
  const sum = new Float64Array(W * W)
  const sumSq = new Float64Array(W * W)
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      const v = edges[y * S + x]
      const at = (y + 1) * W + x + 1
      sum[at] = v + sum[at - 1] + sum[at - W] - sum[at - W - 1]
      sumSq[at] = v * v + sumSq[at - 1] + sumSq[at - W] - sumSq[at - W - 1]
    }
  return { edges, sum, sumSq }
}

/** The sum of a summed-area table over the window whose top-left corner is (x, y). */
function windowSum(table: Float64Array, x: number, y: number): number {
  const W = S + 1
  return table[(y + WINDOW) * W + x + WINDOW] - table[y * W + x + WINDOW] - table[(y + WINDOW) * W + x] + table[y * W + x]
}

/** Correlation of a centred, scaled window with the target's window shifted by (dx, dy). */
function correlationAt(window: Float32Array, target: TargetFace, dx: number, dy: number): number {
  const { edges } = target
  let sab = 0
  for (let y = 0; y < WINDOW; y++) {
    let at = (y + MARGIN + dy) * S + MARGIN + dx
    const row = y * WINDOW
    for (let x = 0; x < WINDOW; x++, at++) sab += window[row + x] * edges[at]
  }
  // The window sums to 0, so Σ a·b is already Σ a·(b − mean b); divide by b's spread.
  const sb = windowSum(target.sum, MARGIN + dx, MARGIN + dy)
  const spread = windowSum(target.sumSq, MARGIN + dx, MARGIN + dy) - (sb * sb) / (WINDOW * WINDOW)
  return spread > 1e-6 ? sab / Math.sqrt(spread) : 0
}

/**
 * How alike two faces' edges are at their best alignment, −1…1: the highest correlation over the
 * zooms and shifts up to MAX_SHIFT, found coarse to fine: every zoom at every second shift, then
 * the neighbours of the best of those (the blurred edges change smoothly with the shift, so this
 * lands on the best integer shift or one beside it).
 */
export function matchScore(a: PreparedFace, target: TargetFace): number {
  let best = -1
  let bz = 0
  let bx = 0
  let by = 0
  for (let z = 0; z < a.length; z++)
    for (let dy = -2; dy <= 2; dy += 2)
      for (let dx = -2; dx <= 2; dx += 2) {
        const r = correlationAt(a[z], target, dx, dy)
        if (r > best) [best, bz, bx, by] = [r, z, dx, dy]
      }
  const [cx, cy] = [bx, by]
  for (let dy = cy - 1; dy <= cy + 1; dy++)
    for (let dx = cx - 1; dx <= cx + 1; dx++) {
      if ((dx === cx && dy === cy) || Math.abs(dx) > MAX_SHIFT || Math.abs(dy) > MAX_SHIFT) continue
      best = Math.max(best, correlationAt(a[bz], target, dx, dy))
    }
  return best
}
