import sharp from 'sharp'
import { heatmapRgba } from './colormap'
import { MAX_INPUT_PIXELS } from './images'
import { attentionMap, emotionMap } from './maps'
import { faceRgbAt, type ImageSource } from './preprocess'

/**
 * Overlays are drawn when viewed, from what the run stored (the poker face PNG, the attention
 * grid): a run writes fewer files, and the drawing can improve without running the model again.
 */

async function rgbAt(input: string | Buffer, size: number): Promise<Buffer> {
  const { data, info } = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS })
    .rotate()
    .removeAlpha()
    .resize(size, size, { fit: 'fill', kernel: 'linear' }) // the model's view of the face
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true })
  if (info.channels !== 3) throw new Error(`expected RGB, got ${info.channels} channels`)
  return data
}

function rgbaPng(rgba: Buffer, size: number): Promise<Buffer> {
  return sharp(rgba, { raw: { width: size, height: size, channels: 4 } })
    .png()
    .toBuffer()
}

/** Heat map of |face − poker face|, RGBA at the model's input size, transparent where they agree. */
export async function emotionMapPng(face: ImageSource, pokerFacePng: Buffer): Promise<Buffer> {
  const size = (await sharp(pokerFacePng).metadata()).width ?? 0
  if (!size) throw new Error('poker face image has no size')
  // The face exactly as the model saw it, so the map shows what the generator changed, not resampling.
  const [faceRgb, poker] = await Promise.all([faceRgbAt(face, size), rgbAt(pokerFacePng, size)])
  return emotionMapFromRgb(faceRgb, poker, size)
}

/** The same heat map from the two faces' RGB bytes (HWC) at the model's input size. */
export function emotionMapFromRgb(face: Uint8Array, pokerFace: Uint8Array, size: number): Promise<Buffer> {
  return rgbaPng(heatmapRgba(emotionMap(face, pokerFace, size)), size)
}

/** The [CLS] attention rollout over the patch grid, upsampled to `size`, as an RGBA heat map. */
export function attentionPng(grid: number[], size: number): Promise<Buffer> {
  const g = Math.round(Math.sqrt(grid.length))
  if (g * g !== grid.length) throw new Error('attention grid is not square')
  return rgbaPng(heatmapRgba(attentionMap(Float32Array.from(grid), 0, g, size)), size)
}
