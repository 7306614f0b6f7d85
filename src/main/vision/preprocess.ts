import sharp from 'sharp'
import { MAX_INPUT_PIXELS } from './images'

export interface Normalisation {
  size: number
  mean: readonly number[]
  std: readonly number[]
}

/**
 * Decodes one image into the model's input: EXIF orientation applied, alpha dropped, greyscale
 * repeated over three channels, the whole face crop resized (bilinear) to size × size, then
 * normalised channel by channel — the same steps as training/pfvit/augment.py at evaluation time.
 * Writes into `out` at `offset` (NCHW, one image = 3·size² floats) so a batch needs one buffer.
 */
export async function decodeInto(
  input: string | Uint8Array,
  norm: Normalisation,
  out: Float32Array,
  offset: number
): Promise<void> {
  const { data, info } = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
    .rotate()
    .removeAlpha()
    .resize(norm.size, norm.size, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true })
  const plane = norm.size * norm.size
  const channels = info.channels
  if (channels !== 1 && channels !== 3) throw new Error(`unsupported image with ${channels} channels`)
  for (let c = 0; c < 3; c++) {
    const src = channels === 1 ? 0 : c
    const scale = 1 / (255 * norm.std[c])
    const shift = norm.mean[c] / norm.std[c]
    const base = offset + c * plane
    for (let p = 0; p < plane; p++) out[base + p] = data[p * channels + src] * scale - shift
  }
}

/**
 * The inverse of the normalisation for one image of a generated batch, written as RGB bytes into
 * `out` (HWC, row stride `stride` pixels, starting at pixel column `column`), so several images
 * can share one sheet. Uint8ClampedArray rounds and clamps in the store itself: this loop runs
 * for every pixel of every generated face, and Math.round/min/max here cost more than the model.
 */
export function writeRgb(
  tensor: Float32Array,
  offset: number,
  norm: Normalisation,
  out: Uint8ClampedArray,
  stride: number,
  column: number
): void {
  const size = norm.size
  const plane = size * size
  for (let c = 0; c < 3; c++) {
    const scale = norm.std[c] * 255
    const shift = norm.mean[c] * 255
    const base = offset + c * plane
    for (let y = 0; y < size; y++) {
      let dst = (y * stride + column) * 3 + c
      const row = base + y * size
      for (let x = 0; x < size; x++, dst += 3) out[dst] = tensor[row + x] * scale + shift
    }
  }
}
