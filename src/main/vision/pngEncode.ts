import { crc32, deflateSync } from 'node:zlib'

/**
 * A minimal PNG encoder for the sheets of generated faces (8-bit RGB, no metadata). It runs beside
 * onnxruntime on the same cores for every image of a run, so its CPU comes out of the model's:
 * the "Sub" filter (each byte minus the one a pixel to its left) suits the smooth generated faces.
 * `npm run bench:pipeline`, a sheet of FERPlus faces: 15,502 bytes against 22,722 for sharp's
 * level-2 PNG, 0.84–1.35 ms against 1.72–2.04 ms per sheet (means of two runs on a shared machine).
 * Compression runs synchronously: handing ~1 ms of deflate to libuv's pool cost more CPU in
 * dispatch than it saved (measured under load with process.cpuUsage in a one-off script), and the
 * run's thread blocks for about 1 ms per image.
 */
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
const FILTER_SUB = 1

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'latin1')
  data.copy(out, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}

export function encodeRgbPng(rgb: ArrayLike<number>, width: number, height: number, level = 1): Buffer {
  const stride = width * 3
  if (rgb.length !== stride * height) throw new Error(`expected ${stride * height} RGB bytes, got ${rgb.length}`)
  const filtered = Buffer.alloc((stride + 1) * height)
  for (let y = 0; y < height; y++) {
    const row = y * stride
    let o = y * (stride + 1)
    filtered[o++] = FILTER_SUB
    for (let x = 0; x < 3; x++) filtered[o++] = rgb[row + x]
    for (let x = 3; x < stride; x++) filtered[o++] = (rgb[row + x] - rgb[row + x - 3]) & 0xff
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bits per sample
  header[9] = 2 // colour type RGB; compression, filter method and interlace stay 0
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(filtered, { level })),
    chunk('IEND', Buffer.alloc(0))
  ])
}
