import { crc32, deflateSync } from 'node:zlib'

/**
 * A minimal PNG encoder for the sheets of generated faces (8-bit RGB, no metadata). It runs beside
 * onnxruntime on the same two cores for every image of a run, so every millisecond it spends
 * comes out of the model's time (`npm run bench:pipeline` measures it on a real model's sheets).
 *
 * Rows are "Up"-filtered (each byte minus the one above it): as cheap as "Sub" and smaller on
 * smooth faces. Then, chosen per sheet from a sample of the filtered bytes:
 * - smooth sheets (a model that generates clean faces): zlib level 1, whose string matching
 *   shrinks them to a third;
 * - noisy sheets (what an undertrained model generates: most filtered bytes far from 0): stored
 *   uncompressed. On noise, string matching finds nothing (4.5 ms a sheet) and Huffman coding
 *   alone saves only ~20 % of the bytes for ~1.4 ms of CPU a sheet (1.37 ms for 113 KB of noise in a
 *   one-off zlib timing), 7–9 % of the ~16–20 core-ms the model itself costs per image on two cores. Stored against Huffman-coded sheets of the default model, in a
 *   one-off copy of scripts/bench-infer.mjs that alternated the two builds (not kept): end to end
 *   91 against 87 % of model-only (medians of per-round ratios, 4 rounds). The cache grows by those
 *   ~20 % (113 KB a sheet against 92–95 KB Huffman-coded).
 * Compression runs synchronously: handing ~1 ms of deflate to libuv's pool cost more CPU in
 * dispatch than it saved (measured under load with process.cpuUsage in a one-off script).
 */
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
const FILTER_UP = 2

/** Filtered bytes sampled per sheet to judge how noisy it is: every SAMPLE_ROWS-th row. */
const SAMPLE_ROWS = 8
/** A filtered byte further than this from 0 (mod 256) counts as noise. */
const NOISE_STEP = 16
/** Above this share of noisy bytes, compression does not pay (measured: 0.09 smooth faces, 0.36 noise). */
const NOISY_SHARE = 0.2

/** PNG scanlines of an RGB image, each row prefixed by its filter type and Up-filtered. */
export function upFiltered(rgb: Uint8Array, width: number, height: number): Buffer {
  const stride = width * 3
  const out = Buffer.allocUnsafe((stride + 1) * height) // every byte is written below
  for (let y = 0; y < height; y++) {
    const row = y * stride
    const o = y * (stride + 1) + 1
    out[o - 1] = FILTER_UP
    if (y === 0) out.set(rgb.subarray(0, stride), o)
    else for (let x = 0; x < stride; x++) out[o + x] = rgb[row + x] - rgb[row - stride + x]
  }
  return out
}

/** The share of sampled filtered bytes that are far from 0: near 0 for smooth images. */
export function noisyShare(filtered: Uint8Array, width: number, height: number): number {
  const line = width * 3 + 1
  let noisy = 0
  let seen = 0
  for (let y = 1; y < height; y += SAMPLE_ROWS) {
    for (let x = y * line + 1, end = (y + 1) * line; x < end; x++)
      noisy += ((filtered[x] + NOISE_STEP) & 0xff) > 2 * NOISE_STEP ? 1 : 0
    seen += line - 1
  }
  return seen ? noisy / seen : 0
}

/**
 * A PNG of already filtered scanlines (each row: its filter type byte, then width·3 bytes), built
 * in one buffer: the compressed data, the largest part, is copied once.
 */
export function encodeScanlines(scanlines: Buffer, width: number, height: number): Buffer {
  if (scanlines.length !== (width * 3 + 1) * height)
    throw new Error(`expected ${(width * 3 + 1) * height} scanline bytes, got ${scanlines.length}`)
  const noisy = noisyShare(scanlines, width, height) > NOISY_SHARE
  // Level 0 writes stored blocks (0.1 ms a sheet). memLevel 9: larger blocks, so fewer Huffman
  // trees to build per smooth sheet (~15 % faster, no larger).
  const idat = deflateSync(scanlines, noisy ? { level: 0 } : { level: 1, memLevel: 9 })
  const png = Buffer.alloc(SIGNATURE.length + 25 + 12 + idat.length + 12)
  SIGNATURE.copy(png, 0)
  let at = SIGNATURE.length
  const chunk = (type: string, fill: (data: Buffer) => void, length: number): void => {
    png.writeUInt32BE(length, at)
    png.write(type, at + 4, 'latin1')
    fill(png.subarray(at + 8, at + 8 + length))
    png.writeUInt32BE(crc32(png.subarray(at + 4, at + 8 + length)), at + 8 + length)
    at += 12 + length
  }
  chunk(
    'IHDR',
    (h) => {
      h.writeUInt32BE(width, 0)
      h.writeUInt32BE(height, 4)
      h[8] = 8 // bits per sample
      h[9] = 2 // colour type RGB; compression, filter method and interlace stay 0
    },
    13
  )
  chunk('IDAT', (d) => idat.copy(d), idat.length)
  chunk('IEND', () => {}, 0)
  return png
}

export function encodeRgbPng(rgb: Uint8Array | Uint8ClampedArray, width: number, height: number): Buffer {
  const stride = width * 3
  if (rgb.length !== stride * height) throw new Error(`expected ${stride * height} RGB bytes, got ${rgb.length}`)
  // One element type whatever the caller holds, so the filter loop stays monomorphic.
  const bytes = rgb instanceof Uint8Array ? rgb : new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.byteLength)
  return encodeScanlines(upFiltered(bytes, width, height), width, height)
}
