import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import sharp from 'sharp'
import { detectFormat, CONTENT_TYPES } from '../datasets/sniff'

/** Thumbnails are at most this many pixels on a side; smaller images are kept as they are. */
export const THUMB_SIZE = 128

/**
 * Decoding refuses images above this many pixels: a guard against decompression bombs in
 * folders from anywhere (about 16k × 16k).
 */
export const MAX_INPUT_PIXELS = 268_402_689

export interface ImageBytes {
  bytes: Buffer
  contentType: string
}

/** Formats every browser (and Chromium in Electron) shows natively; others are converted to PNG. */
const BROWSER_FORMATS = new Set(['png', 'jpeg', 'gif', 'webp', 'bmp'])

/** The full image as the renderer should receive it, from the file's bytes (read by src/main/media). */
export async function fullImage(bytes: Buffer): Promise<ImageBytes> {
  const format = detectFormat(bytes)
  if (format && BROWSER_FORMATS.has(format)) return { bytes, contentType: CONTENT_TYPES[format] }
  const png = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).rotate().png().toBuffer()
  return { bytes: png, contentType: 'image/png' }
}

/**
 * Thumbnails are made on first request and cached by content hash, so identical images share one
 * file and a renamed or moved file keeps its thumbnail. Concurrent requests for the same image
 * share one sharp job. The image's bytes are loaded by the caller's `load` (src/main/media, with
 * its checks and limits), only on a miss: sharp never opens a dataset file itself.
 */
export class ThumbnailCache {
  private inFlight = new Map<string, Promise<Buffer>>()

  constructor(private readonly cacheDir: string) {}

  pathFor(contentHash: string): string {
    return join(this.cacheDir, contentHash.slice(0, 2), `${contentHash}-${THUMB_SIZE}.webp`)
  }

  async get(contentHash: string, load: () => Promise<Buffer>): Promise<ImageBytes> {
    const cached = this.pathFor(contentHash)
    try {
      return { bytes: await readFile(cached), contentType: 'image/webp' }
    } catch {
      // not cached yet
    }
    let job = this.inFlight.get(contentHash)
    if (!job) {
      job = this.make(load, cached).finally(() => this.inFlight.delete(contentHash))
      this.inFlight.set(contentHash, job)
    }
    return { bytes: await job, contentType: 'image/webp' }
  }

  private async make(load: () => Promise<Buffer>, target: string): Promise<Buffer> {
    const bytes = await sharp(await load(), { limitInputPixels: MAX_INPUT_PIXELS })
      .rotate() // honour EXIF orientation
      .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 85 })
      .toBuffer()
    await mkdir(dirname(target), { recursive: true })
    // Write then rename: a crash never leaves a half-written thumbnail in the cache.
    const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
    await writeFile(tmp, bytes)
    await rename(tmp, target)
    return bytes
  }
}
