/**
 * The perceptual fingerprint of a face for near-duplicate search: a 64-bit DCT hash (pHash) of the
 * image and of its mirror image. Pure functions over grey pixels; decoding is ./fingerprint.ts.
 *
 * Why a DCT hash: its bits are the signs of the 8 × 8 lowest frequencies of a 32 × 32 shrink, taken
 * against their median, so re-encoding (JPEG noise is high-frequency), brightness and contrast (they
 * move the DC term and scale the rest) change few bits, and a shift or crop of a few per cent moves
 * the low frequencies only a little. A mirror image flips the sign of every odd horizontal
 * frequency, so its hash comes from the same coefficients at no extra cost.
 */

/** Side of the shrunk image the DCT is taken of. */
const SIDE = 32
/** Frequencies kept per axis: 8 × 8 = 64 bits. */
const LOW = 8

/** A 64-bit hash as two unsigned 32-bit halves: bits 0–31 in `lo`, 32–63 in `hi`. */
export interface Hash64 {
  hi: number
  lo: number
}

export interface PerceptualHashes {
  hash: Hash64
  mirror: Hash64
}

/** cos((2x + 1) u π / 2N) for u < LOW, x < SIDE. */
const COS = (() => {
  const table = new Float64Array(LOW * SIDE)
  for (let u = 0; u < LOW; u++)
    for (let x = 0; x < SIDE; x++) table[u * SIDE + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * SIDE))
  return table
})()

/**
 * Which source pixels each of the SIDE targets along an axis of `n` pixels covers, and by how much:
 * target t covers pixels first[t]… with the weights cover[offset[t]] … cover[offset[t + 1] - 1].
 * Worked out once per axis rather than once per row, the same numbers in the same order, so the
 * shrink (and every stored hash) is bit for bit what computing them in the loop gave.
 */
function axisCover(n: number): { first: Int32Array; offset: Int32Array; cover: Float64Array } {
  const step = n / SIDE
  const first = new Int32Array(SIDE)
  const offset = new Int32Array(SIDE + 1)
  const cover: number[] = []
  for (let t = 0; t < SIDE; t++) {
    const from = t * step
    const to = from + step
    first[t] = Math.floor(from)
    offset[t] = cover.length
    for (let x = Math.floor(from); x < to && x < n; x++) cover.push(Math.min(to, x + 1) - Math.max(from, x))
  }
  offset[SIDE] = cover.length
  return { first, offset, cover: Float64Array.from(cover) }
}

/**
 * Shrinks grey pixels to SIDE × SIDE by area averaging (every source pixel counts by the share of it
 * each target pixel covers), so any size of face gives the same kind of 32 × 32 summary and no
 * sampling phase can alias a shifted copy differently.
 */
export function shrinkGrey(data: Uint8Array, width: number, height: number): Float64Array {
  const rows = new Float64Array(height * SIDE)
  const sx = width / SIDE
  const across = axisCover(width)
  for (let y = 0; y < height; y++) {
    for (let t = 0; t < SIDE; t++) {
      let sum = 0
      let at = y * width + across.first[t]
      for (let k = across.offset[t]; k < across.offset[t + 1]; k++) sum += across.cover[k] * data[at++]
      rows[y * SIDE + t] = sum / sx
    }
  }
  const out = new Float64Array(SIDE * SIDE)
  const sy = height / SIDE
  const down = axisCover(height)
  for (let t = 0; t < SIDE; t++) {
    for (let c = 0; c < SIDE; c++) {
      let sum = 0
      let at = down.first[t] * SIDE + c
      for (let k = down.offset[t]; k < down.offset[t + 1]; k++, at += SIDE) sum += down.cover[k] * rows[at]
      out[t * SIDE + c] = sum / sy
    }
  }
  return out
}

/** The LOW × LOW lowest DCT-II coefficients of a SIDE × SIDE image, index v * LOW + u (u horizontal). */
function lowDct(img: Float64Array): Float64Array {
  const tmp = new Float64Array(SIDE * LOW)
  for (let y = 0; y < SIDE; y++)
    for (let u = 0; u < LOW; u++) {
      let s = 0
      for (let x = 0; x < SIDE; x++) s += img[y * SIDE + x] * COS[u * SIDE + x]
      tmp[y * LOW + u] = s
    }
  const out = new Float64Array(LOW * LOW)
  for (let v = 0; v < LOW; v++)
    for (let u = 0; u < LOW; u++) {
      let s = 0
      for (let y = 0; y < SIDE; y++) s += COS[v * SIDE + y] * tmp[y * LOW + u]
      out[v * LOW + u] = s
    }
  return out
}

/** One bit per coefficient: above the median of the 63 non-DC ones (the DC bit is always set). */
function bits(coefficients: Float64Array): Hash64 {
  // A typed array sorts by value without a comparator call per step (and no coefficient is NaN).
  const ac = coefficients.slice(1).sort()
  const median = (ac[31] + ac[32]) / 2
  let hi = 0
  let lo = 1
  for (let k = 1; k < 64; k++) {
    if (coefficients[k] <= median) continue
    if (k < 32) lo |= 1 << k
    else hi |= 1 << (k - 32)
  }
  return { hi: hi >>> 0, lo: lo >>> 0 }
}

/** The hashes of grey pixels (row-major, one byte a pixel) and of their mirror image. */
export function perceptualHashes(data: Uint8Array, width: number, height: number): PerceptualHashes {
  const coefficients = lowDct(shrinkGrey(data, width, height))
  const mirrored = coefficients.map((c, k) => ((k % LOW) % 2 === 1 ? -c : c))
  return { hash: bits(coefficients), mirror: bits(mirrored) }
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  x = (x + (x >>> 4)) & 0x0f0f0f0f
  return Math.imul(x, 0x01010101) >>> 24
}

export function hamming(a: Hash64, b: Hash64): number {
  return popcount32((a.hi ^ b.hi) >>> 0) + popcount32((a.lo ^ b.lo) >>> 0)
}

/**
 * How far two faces are, mirror images counting as the same face: bits that differ between their
 * hashes, or between one's mirror hash and the other's hash (either way round: the median each
 * hash is cut at is recomputed for the mirror, so the two ways can differ by a bit or two).
 * Even unless coefficients tie: every hash sets the DC bit and 31 of the 63 others.
 */
export function faceDistance(a: PerceptualHashes, b: PerceptualHashes): number {
  return Math.min(hamming(a.hash, b.hash), hamming(a.mirror, b.hash), hamming(a.hash, b.mirror))
}

/** 16 hex digits, as stored. */
export function hashToHex(h: Hash64): string {
  return h.hi.toString(16).padStart(8, '0') + h.lo.toString(16).padStart(8, '0')
}

export function hashFromHex(hex: string): Hash64 {
  if (!/^[0-9a-f]{16}$/.test(hex)) throw new Error(`not a 64-bit hash: ${hex}`)
  return { hi: parseInt(hex.slice(0, 8), 16), lo: parseInt(hex.slice(8), 16) }
}
