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

/**
 * Bilinear resize to size × size with pixel centres aligned (half-pixel offsets, edges clamped)
 * — the same sampling as sharp's `linear` kernel when enlarging, PIL's BILINEAR and PyTorch's
 * `align_corners=False`. Used for enlarging only; shrinking goes through sharp, which filters.
 */
export function resizeBilinear(
  image: { width: number; height: number; channels: number; data: ArrayLike<number> },
  size: number
): Float32Array {
  const { width, height, channels, data } = image
  const out = new Float32Array(size * size * channels)
  for (let y = 0; y < size; y++) {
    const fy = Math.min(height - 1, Math.max(0, ((y + 0.5) * height) / size - 0.5))
    const y0 = Math.floor(fy)
    const y1 = Math.min(height - 1, y0 + 1)
    const wy = fy - y0
    for (let x = 0; x < size; x++) {
      const fx = Math.min(width - 1, Math.max(0, ((x + 0.5) * width) / size - 0.5))
      const x0 = Math.floor(fx)
      const x1 = Math.min(width - 1, x0 + 1)
      const wx = fx - x0
      for (let c = 0; c < channels; c++) {
        const at = (yy: number, xx: number): number => data[(yy * width + xx) * channels + c]
        out[(y * size + x) * channels + c] =
          (1 - wy) * ((1 - wx) * at(y0, x0) + wx * at(y0, x1)) + wy * ((1 - wx) * at(y1, x0) + wx * at(y1, x1))
      }
    }
  }
  return out
}
