import { inflateSync } from 'node:zlib'

/**
 * A fast path for the images FER datasets are made of: small 8-bit PNGs (FERPlus and FER2013 are
 * 48×48 greyscale). For them, sharp's per-image setup costs more CPU than the model's own work on
 * the image, and that CPU is taken from onnxruntime while it runs. This decodes such PNGs in plain
 * JavaScript. Anything else — 16-bit, palette, interlaced, an embedded colour profile or EXIF
 * orientation — returns null and goes through sharp as before.
 */
export interface RawImage {
  width: number
  height: number
  /** 1 (grey) or 3 (RGB); alpha is dropped, as sharp's removeAlpha() does. */
  channels: 1 | 3
  data: Uint8Array
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
/** Colour types handled: grey, RGB, grey + alpha, RGBA → samples per pixel. */
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 }
/** Chunks that change how pixels look, which only sharp honours. */
const NEEDS_SHARP = new Set(['iCCP', 'eXIf', 'PLTE', 'tRNS', 'sBIT', 'cHRM', 'gAMA'])
/** Larger images are not what this path is for; sharp (with its pixel limit) handles them. */
const MAX_SIDE = 1024

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c
  const pa = Math.abs(p - a)
  const pb = Math.abs(p - b)
  const pc = Math.abs(p - c)
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
}

export function decodeSimplePng(bytes: Uint8Array): RawImage | null {
  if (bytes.length < 57 || !SIGNATURE.every((b, i) => bytes[i] === b)) return null
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let width = 0
  let height = 0
  let samples = 0
  const idat: Uint8Array[] = []
  for (let at = 8; at + 12 <= bytes.length;) {
    const length = view.getUint32(at)
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7])
    const body = bytes.subarray(at + 8, at + 8 + length)
    if (body.length !== length) return null
    if (type === 'IHDR') {
      width = view.getUint32(at + 8)
      height = view.getUint32(at + 12)
      const [depth, colour, , , interlace] = body.subarray(8, 13)
      samples = SAMPLES[colour] ?? 0
      if (depth !== 8 || !samples || interlace !== 0 || !width || !height || width > MAX_SIDE || height > MAX_SIDE) return null
    } else if (type === 'IDAT') idat.push(body)
    else if (type === 'IEND') break
    else if (NEEDS_SHARP.has(type)) return null
    at += 12 + length
  }
  if (!samples || idat.length === 0) return null
  let raw: Buffer
  try {
    raw = inflateSync(Buffer.concat(idat))
  } catch {
    return null // corrupt: let sharp say what is wrong
  }
  const stride = width * samples
  if (raw.length < height * (stride + 1)) return null
  const pixels = new Uint8Array(height * stride)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    const src = y * (stride + 1) + 1
    const row = y * stride
    const up = row - stride
    for (let x = 0; x < stride; x++) {
      const value = raw[src + x]
      const a = x >= samples ? pixels[row + x - samples] : 0
      const b = y > 0 ? pixels[up + x] : 0
      const c = x >= samples && y > 0 ? pixels[up + x - samples] : 0
      let out: number
      if (filter === 0) out = value
      else if (filter === 1) out = value + a
      else if (filter === 2) out = value + b
      else if (filter === 3) out = value + ((a + b) >> 1)
      else if (filter === 4) out = value + paeth(a, b, c)
      else return null
      pixels[row + x] = out & 0xff
    }
  }
  const channels = samples >= 3 ? 3 : 1
  if (channels === samples) return { width, height, channels, data: pixels }
  // Drop alpha.
  const data = new Uint8Array(width * height * channels)
  for (let p = 0; p < width * height; p++) for (let k = 0; k < channels; k++) data[p * channels + k] = pixels[p * samples + k]
  return { width, height, channels, data }
}

/** Where each output column (or row) samples: the two source indices and the weight of the second. */
function samplingTable(from: number, to: number): { i0: Int32Array; i1: Int32Array; w: Float32Array } {
  const i0 = new Int32Array(to)
  const i1 = new Int32Array(to)
  const w = new Float32Array(to)
  for (let o = 0; o < to; o++) {
    const f = Math.min(from - 1, Math.max(0, ((o + 0.5) * from) / to - 0.5))
    i0[o] = Math.floor(f)
    i1[o] = Math.min(from - 1, i0[o] + 1)
    w[o] = f - i0[o]
  }
  return { i0, i1, w }
}

/**
 * Bilinear resize to size × size with pixel centres aligned (half-pixel offsets, edges clamped)
 * — PIL's BILINEAR and PyTorch's `align_corners=False` when enlarging, which is what training
 * used. Shrinking goes through sharp, which filters. Output is interleaved like the input, as
 * floats, optionally mapped by `value * scale[c] + shift[c]` and written planar (NCHW) into `out`.
 */
export function resizeBilinear(
  image: { width: number; height: number; channels: number; data: ArrayLike<number> },
  size: number
): Float32Array {
  const out = new Float32Array(size * size * image.channels)
  const ones = new Array<number>(image.channels).fill(1)
  resizeInto(image, size, out, 0, ones, new Array<number>(image.channels).fill(0), false)
  return out
}

/**
 * The resize above writing straight into a model input: channel c of pixel p goes to
 * `out[offset + c·size² + p]` as `value · scale[c] + shift[c]` (planar), or interleaved when
 * `planar` is false. Greyscale input fills all `scale.length` output channels. The sampling
 * tables are computed once per image, so the inner loop is plain arithmetic.
 */
export function resizeInto(
  image: { width: number; height: number; channels: number; data: ArrayLike<number> },
  size: number,
  out: Float32Array,
  offset: number,
  scale: readonly number[],
  shift: readonly number[],
  planar = true
): void {
  const { width, height, channels: inChannels, data } = image
  const outChannels = scale.length
  const xs = samplingTable(width, size)
  const ys = samplingTable(height, size)
  const plane = size * size
  // Separable: each source row is interpolated across once, then output rows blend two of those.
  // The arithmetic per value is the same as blending four pixels at once (same operations, same
  // order), but a 48-px face is interpolated across 48 times instead of 112 × 3.
  const across = new Float64Array(height * size * inChannels)
  for (let r = 0; r < height; r++) {
    const row = r * width
    for (let x = 0; x < size; x++) {
      const a = (row + xs.i0[x]) * inChannels
      const b = (row + xs.i1[x]) * inChannels
      const wx = xs.w[x]
      const o = (r * size + x) * inChannels
      for (let k = 0; k < inChannels; k++) across[o + k] = data[a + k] * (1 - wx) + data[b + k] * wx
    }
  }
  const grey = inChannels === 1
  if (grey && planar && outChannels === 3) {
    // The common case (FER datasets are greyscale): one blend per pixel, written to three planes.
    const [s0, s1, s2] = scale
    const [h0, h1, h2] = shift
    for (let y = 0; y < size; y++) {
      const t = ys.i0[y] * size
      const u = ys.i1[y] * size
      const wy = ys.w[y]
      for (let x = 0, p = offset + y * size; x < size; x++, p++) {
        const g = across[t + x] * (1 - wy) + across[u + x] * wy
        out[p] = g * s0 + h0
        out[p + plane] = g * s1 + h1
        out[p + 2 * plane] = g * s2 + h2
      }
    }
    return
  }
  for (let y = 0; y < size; y++) {
    const t = ys.i0[y] * size * inChannels
    const u = ys.i1[y] * size * inChannels
    const wy = ys.w[y]
    for (let x = 0; x < size; x++) {
      const p = y * size + x
      const i = x * inChannels
      const g = grey ? across[t + i] * (1 - wy) + across[u + i] * wy : 0
      for (let c = 0; c < outChannels; c++) {
        const v = grey ? g : across[t + i + c] * (1 - wy) + across[u + i + c] * wy
        out[planar ? offset + c * plane + p : offset + p * outChannels + c] = v * scale[c] + shift[c]
      }
    }
  }
}
