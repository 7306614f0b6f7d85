import sharp from 'sharp'
import { planAlignment, DEFAULT_ALIGN, type AlignOptions } from './align'
import type { FaceDetection } from './blazeface'

/**
 * Cuts one aligned face out of an (oriented) photo: rotate so the eyes are level, take the
 * planned square (padding with black where it runs past the photo), resize to the output size.
 * Returns a PNG.
 */
export async function alignedFace(
  photo: { rgb: Buffer; width: number; height: number },
  face: FaceDetection,
  options: AlignOptions = DEFAULT_ALIGN
): Promise<Buffer> {
  // keypoints[0] is the subject's right eye: the one on the left of the image.
  const plan = planAlignment(face.keypoints[0], face.keypoints[1], photo.width, photo.height, options)
  const rotated = await sharp(photo.rgb, { raw: { width: photo.width, height: photo.height, channels: 3 } })
    .rotate(plan.angle, { background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer({ resolveWithObject: true })
  const side = Math.max(1, Math.round(plan.side))
  const left = Math.round(plan.left)
  const top = Math.round(plan.top)
  // Pad so the square always lies inside the canvas, then cut it out.
  const pad = {
    left: Math.max(0, -left),
    top: Math.max(0, -top),
    right: Math.max(0, left + side - rotated.info.width),
    bottom: Math.max(0, top + side - rotated.info.height)
  }
  // Two pipelines: within one, sharp extracts before it extends whatever order the calls are in, so a
  // square running past the photo's edge (a face filling a small photo) would fail "bad extract area".
  const padded = await sharp(rotated.data, { raw: { width: rotated.info.width, height: rotated.info.height, channels: 3 } })
    .extend({ ...pad, background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer({ resolveWithObject: true })
  return sharp(padded.data, { raw: { width: padded.info.width, height: padded.info.height, channels: 3 } })
    .extract({ left: left + pad.left, top: top + pad.top, width: side, height: side })
    .resize(options.size, options.size, { kernel: 'lanczos3' })
    .png()
    .toBuffer()
}
