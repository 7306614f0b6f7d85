import sharp from 'sharp'
import { decodeSimplePng, resizeBilinear, resizeInto, type RawImage } from './fastPng'
import { MAX_INPUT_PIXELS } from './images'
import type { GreyPixels } from '@shared/formats/types'
import { loadImage, type DatasetFile } from '../media/datasetFile'

/**
 * An image to decode: a sample's file in its dataset (read with the link check and the read
 * limits of src/main/media), a file path a caller chose, encoded bytes, or pixels already in
 * memory (FER2013 rows).
 */
export type ImageSource = string | DatasetFile | Uint8Array | GreyPixels

export interface Normalisation {
  size: number
  mean: readonly number[]
  std: readonly number[]
  /** Colour faces become grey first (model.json input.grayscale: a model taught on grey faces). */
  grayscale?: boolean
}

/** Rec. 601 luma of an RGB image (PIL's convert('L'): L = (299 R + 587 G + 114 B) / 1000). */
export function toGrey(face: RawImage): RawImage {
  if (face.channels === 1) return face
  const n = face.width * face.height
  const data = new Uint8Array(n)
  for (let p = 0; p < n; p++) {
    const i = p * face.channels
    data[p] = Math.round((299 * face.data[i] + 587 * face.data[i + 1] + 114 * face.data[i + 2]) / 1000)
  }
  return { width: face.width, height: face.height, channels: 1, data }
}

/**
 * The face as RGB or grey bytes at its own size: EXIF orientation applied, alpha dropped. Small
 * 8-bit PNGs (FER datasets) are decoded in JavaScript — for 48-px faces sharp's per-image setup
 * costs more CPU than the model — and everything else by sharp.
 */
async function decodeFace(input: ImageSource, size: number): Promise<RawImage> {
  const bytes = await loadImage(input)
  if (!(bytes instanceof Uint8Array)) return { width: bytes.width, height: bytes.height, channels: 1, data: bytes.data }
  const simple = decodeSimplePng(bytes)
  if (simple) return simple
  const pipeline = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).rotate().removeAlpha()
  const { width = 0, height = 0 } = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).metadata()
  // Shrinking large photos is left to sharp, which filters; enlarging (the usual case) happens
  // below, with the training code's sampling.
  if (width > size || height > size) pipeline.resize(size, size, { fit: 'fill', kernel: 'linear' })
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true })
  if (info.channels !== 1 && info.channels !== 3) throw new Error(`unsupported image with ${info.channels} channels`)
  return { width: info.width, height: info.height, channels: info.channels, data }
}

/**
 * Decodes one image into the model's input: EXIF orientation applied, alpha dropped, greyscale
 * repeated over three channels, the whole face crop resized to size × size with PIL's bilinear
 * sampling (what training/pfvit/augment.py uses; sharp's `linear` kernel samples a fraction of a
 * pixel off, up to 57/255 apart on FERPlus faces), then normalised channel by channel.
 * Writes into `out` at `offset` (NCHW, one image = 3·size² floats) so a batch needs one buffer.
 */
export async function decodeInto(input: ImageSource, norm: Normalisation, out: Float32Array, offset: number): Promise<void> {
  const decoded = await decodeFace(input, norm.size)
  const face = norm.grayscale ? toGrey(decoded) : decoded
  const scale = norm.std.map((sd) => 1 / (255 * sd))
  const shift = norm.mean.map((m, c) => -m / norm.std[c])
  resizeInto(face, norm.size, out, offset, scale, shift)
}

/** The face as the model sees it, before normalisation: RGB bytes (HWC) at size × size. */
export async function faceRgbAt(input: ImageSource, size: number): Promise<Uint8Array> {
  const face = await decodeFace(input, size)
  const pixels = face.width === size && face.height === size ? face.data : resizeBilinear(face, size)
  const rgb = new Uint8ClampedArray(size * size * 3)
  for (let p = 0; p < size * size; p++)
    for (let c = 0; c < 3; c++) rgb[p * 3 + c] = pixels[p * face.channels + (face.channels === 1 ? 0 : c)]
  return new Uint8Array(rgb.buffer)
}
