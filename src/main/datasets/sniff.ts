/**
 * Cheap checks on a file's bytes that catch what breaks datasets in practice — empty files,
 * files that are not images despite their name, downloads cut short — without decoding every
 * pixel during a scan. Full decoding happens later (thumbnails, inference) and records its own
 * per-sample errors.
 *
 * The checks are split by where the bytes sit, so a scan can decide from the first
 * SNIFF_BYTES whether a file is worth reading at all (a 1 GB file of zeros named .png is
 * refused after 64 bytes), and check the ending from the last TAIL_BYTES it kept while hashing.
 */
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'bmp' | 'webp' | 'tiff'

export type SniffResult = { ok: true; format: ImageFormat } | { ok: false; reason: string }

/** Enough for every magic number below and PNG's IHDR width and height (bytes 16–23). */
export const SNIFF_BYTES = 64
/** Some cameras pad after JPEG's end-of-image marker; it is looked for this far from the end. */
export const TAIL_BYTES = 4096

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const PNG_IEND = [0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]

function startsWith(bytes: Uint8Array, prefix: number[], at = 0): boolean {
  if (at < 0 || bytes.length < at + prefix.length) return false
  return prefix.every((b, i) => bytes[at + i] === b)
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to))
}

export function detectFormat(bytes: Uint8Array): ImageFormat | null {
  if (startsWith(bytes, PNG_MAGIC)) return 'png'
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg'
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return 'gif'
  if (ascii(bytes, 0, 2) === 'BM' && bytes.length > 26) return 'bmp'
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp'
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff'
  return null
}

function lastIndexOfPair(bytes: Uint8Array, a: number, b: number, window: number): number {
  const stop = Math.max(0, bytes.length - window)
  for (let i = bytes.length - 2; i >= stop; i--) if (bytes[i] === a && bytes[i + 1] === b) return i
  return -1
}

/** What the start of a file says: its image format, or why it is not one. `size` is the whole file's. */
export function sniffHead(head: Uint8Array, size: number): SniffResult {
  if (size === 0 || head.length === 0) return { ok: false, reason: 'empty file (0 bytes)' }
  const format = detectFormat(head)
  if (!format) return { ok: false, reason: 'not an image: the content is not PNG, JPEG, GIF, BMP, WebP or TIFF' }
  if (format === 'png') {
    if (head.length < 33 || ascii(head, 12, 16) !== 'IHDR') return { ok: false, reason: 'corrupt PNG: no IHDR header' }
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength)
    if (view.getUint32(16) === 0 || view.getUint32(20) === 0) return { ok: false, reason: 'corrupt PNG: zero width or height' }
  }
  return { ok: true, format }
}

/** Whether a file of this format ends as a complete one; `tail` is its last TAIL_BYTES (or all of it). */
export function checkEnding(format: ImageFormat, tail: Uint8Array): SniffResult {
  if (format === 'png' && !startsWith(tail, PNG_IEND, tail.length - 8))
    return { ok: false, reason: 'truncated PNG: the file ends before its IEND chunk' }
  if (format === 'jpeg' && lastIndexOfPair(tail, 0xff, 0xd9, TAIL_BYTES) === -1)
    return { ok: false, reason: 'truncated JPEG: no end-of-image marker' }
  return { ok: true, format }
}

/** Both checks on a whole file held in memory. */
export function sniffImage(bytes: Uint8Array): SniffResult {
  const head = sniffHead(bytes.subarray(0, SNIFF_BYTES), bytes.length)
  if (!head.ok) return head
  return checkEnding(head.format, bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)))
}

export const CONTENT_TYPES: Record<ImageFormat, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/bmp',
  webp: 'image/webp',
  tiff: 'image/tiff'
}
