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
export async function decodeInto(input: string | Buffer, norm: Normalisation, out: Float32Array, offset: number): Promise<void> {
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

/** The inverse of the normalisation, for one image of a generated batch: RGB bytes (HWC). */
export function toRgbBytes(tensor: Float32Array, offset: number, norm: Normalisation): Buffer {
  const plane = norm.size * norm.size
  const rgb = Buffer.alloc(plane * 3)
  for (let c = 0; c < 3; c++) {
    const base = offset + c * plane
    for (let p = 0; p < plane; p++) {
      const v = (tensor[base + p] * norm.std[c] + norm.mean[c]) * 255
      rgb[p * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v)
    }
  }
  return rgb
}
