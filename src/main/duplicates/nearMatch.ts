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
 *   different people's faces correlate highly in grey levels, but the edges of eyes, brows, mouth
 *   and hair of one photo only line up with the same photo's.
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

/** Every second pixel of the window each way: the first, rough pass of the search reads a quarter. */
const ROUGH = WINDOW / 2

/**
 * One face prepared as the verifier's first argument: at each zoom, the central window of its edge
 * image, and every second pixel of it, each centred and scaled, so a comparison is one dot product
 * and a pass for the other window's mean and spread.
 */
export interface PreparedFace {
  full: Float32Array[]
  rough: Float32Array[]
}

export function prepareFace(edges: Float32Array): PreparedFace {
  const c = (S - 1) / 2
  const full = ZOOMS.map((zoom) => {
    const w = new Float32Array(WINDOW * WINDOW)
    for (let y = 0; y < WINDOW; y++)
      for (let x = 0; x < WINDOW; x++)
        w[y * WINDOW + x] = sample(edges, S, c + (x + MARGIN - c) / zoom, c + (y + MARGIN - c) / zoom)
    return w
  })
  const rough = full.map((w) => {
    const r = new Float32Array(ROUGH * ROUGH)
    for (let y = 0; y < ROUGH; y++) for (let x = 0; x < ROUGH; x++) r[y * ROUGH + x] = w[2 * y * WINDOW + 2 * x]
    centreAndScale(r)
    return r
  })
  full.forEach(centreAndScale)
  return { full, rough }
}

/**
 * Correlation of a centred, scaled window (`side`² values, every `stride`-th pixel of the compared
 * area) with the same pixels of `edges` shifted by (dx, dy).
 */
function correlationAt(window: Float32Array, side: number, stride: number, edges: Float32Array, dx: number, dy: number): number {
  let sab = 0
  let sb = 0
  let sbb = 0
  for (let y = 0; y < side; y++) {
    let at = (y * stride + MARGIN + dy) * S + MARGIN + dx
    const row = y * side
    for (let x = 0; x < side; x++, at += stride) {
      const b = edges[at]
      sab += window[row + x] * b
      sb += b
      sbb += b * b
    }
  }
  // The window sums to 0, so Σ a·b is already Σ a·(b − mean b); divide by b's spread.
  const spread = sbb - (sb * sb) / (side * side)
  return spread > 1e-6 ? sab / Math.sqrt(spread) : 0
}

/**
 * How alike two faces' edges are at their best alignment, −1…1: the highest correlation over the
 * zooms and shifts up to MAX_SHIFT, found coarse to fine. A rough pass (every second pixel) tries
 * every zoom at every second shift; the full window then tries the best of those and its
 * neighbours (the blurred edges change smoothly with the shift, so this lands on the best integer
 * shift or one beside it), and the score is the full window's best.
 */
export function matchScore(a: PreparedFace, edges: Float32Array): number {
  let top = -2
  let bz = 0
  let bx = 0
  let by = 0
  for (let z = 0; z < a.rough.length; z++)
    for (let dy = -2; dy <= 2; dy += 2)
      for (let dx = -2; dx <= 2; dx += 2) {
        const r = correlationAt(a.rough[z], ROUGH, 2, edges, dx, dy)
        if (r > top) [top, bz, bx, by] = [r, z, dx, dy]
      }
  let best = -1
  for (let dy = by - 1; dy <= by + 1; dy++)
    for (let dx = bx - 1; dx <= bx + 1; dx++) {
      if (Math.abs(dx) > MAX_SHIFT || Math.abs(dy) > MAX_SHIFT) continue
      best = Math.max(best, correlationAt(a.full[bz], WINDOW, 1, edges, dx, dy))
    }
  return best
}
