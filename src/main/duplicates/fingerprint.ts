import { createHash } from 'node:crypto'
import sharp from 'sharp'
import type { GreyPixels } from '@shared/formats/types'
import { decodeSimplePng, type RawImage } from '../vision/fastPng'
import { MAX_INPUT_PIXELS } from '../vision/images'
import { contrastBeyondPlane } from '../vision/contrast'
import { toGrey } from '../vision/preprocess'
import { faceThumbnail } from './thumbnail'

/**
 * What the duplicate search knows of one image content, computed once per content hash at scan
 * time: the hash of its decoded pixels (exact duplicates) and its grey 32-px thumbnail (near ones).
 */
export interface Fingerprint {
  /** sha256 of the decoded pixels in their canonical form (see canonicalPixels). */
  pixelHash: string
  /** THUMB_SIDE² bytes (./thumbnail.ts), what the near-duplicate search compares. */
  thumb: Uint8Array
  /** The thumbnail's contrast beyond a plane (vision/contrast.ts): near 0 for an empty frame. */
  contrast: number
}

/**
 * What produced the stored fingerprints. A fingerprint stored under another id is computed again,
 * so a change to the decoding, the canonical form or the hash invalidates what is stored.
 */
export const FINGERPRINT_ALGORITHM = 'pixels-sha256+thumb32/v2'

/**
 * The pixels two images must share to be exact duplicates: decoded as the model decodes them
 * (EXIF orientation applied, alpha dropped), and an RGB image whose three channels are equal
 * everywhere counted as the grey image it is. So a PNG re-saved with other compression, filters or
 * metadata, or a grey face stored as RGB, is the same content; one changed pixel is not.
 */
export function canonicalPixels(image: RawImage): RawImage {
  if (image.channels !== 3) return image
  const { data } = image
  for (let i = 0; i < data.length; i += 3) if (data[i] !== data[i + 1] || data[i] !== data[i + 2]) return image
  return toGrey(image)
}

export function pixelHash(image: RawImage): string {
  const { width, height, channels, data } = canonicalPixels(image)
  return createHash('sha256').update(`pixels ${width}x${height}x${channels}\n`).update(data).digest('hex')
}

export function fingerprintPixels(image: RawImage): Fingerprint {
  const canonical = canonicalPixels(image)
  const grey = toGrey(canonical)
  const thumb = faceThumbnail(grey.data, grey.width, grey.height)
  return { pixelHash: pixelHash(canonical), thumb, contrast: contrastBeyondPlane(thumb) }
}

/** Decodes encoded image bytes: small 8-bit PNGs in JavaScript (FER datasets), the rest with sharp. */
async function decode(bytes: Uint8Array): Promise<RawImage> {
  const simple = decodeSimplePng(bytes)
  if (simple) return simple
  const { data, info } = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
    .rotate()
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true })
  if (info.channels !== 1 && info.channels !== 3) throw new Error(`unsupported image with ${info.channels} channels`)
  return { width: info.width, height: info.height, channels: info.channels, data }
}

/** The fingerprint of an image file's bytes or of pixels held in memory (FER2013 rows). */
export async function fingerprintImage(input: Uint8Array | GreyPixels): Promise<Fingerprint> {
  if (input instanceof Uint8Array) return fingerprintPixels(await decode(input))
  return fingerprintPixels({ width: input.width, height: input.height, channels: 1, data: input.data })
}
