import type { Point } from './blazeface'

/**
 * Face alignment by the eyes: a similarity transform (rotation, scale, translation) that puts the
 * eyes level, a fixed distance apart, at a fixed height — how FER datasets crop their faces.
 * Implemented as rotate-about-centre (what sharp does), then a square crop, then a resize.
 */
export interface AlignOptions {
  /** Output side in pixels. */
  size: number
  /** Inter-eye distance as a fraction of the crop side: smaller = more margin around the face. */
  eyeDistance: number
  /** Height of the eye line as a fraction of the crop side, from the top. */
  eyeHeight: number
}

export const DEFAULT_ALIGN: AlignOptions = { size: 224, eyeDistance: 0.3, eyeHeight: 0.38 }

export interface AlignPlan {
  /** Clockwise rotation in degrees applied to the whole photo (sharp's convention). */
  angle: number
  /** Square region to cut from the rotated photo, in its pixels (may extend past its edges). */
  left: number
  top: number
  side: number
}

/** Where a point of a w×h image lands after sharp rotates the image clockwise by `angle` degrees. */
export function rotatePoint(p: Point, w: number, h: number, angleDeg: number): Point {
  const t = (angleDeg * Math.PI) / 180
  const cos = Math.cos(t)
  const sin = Math.sin(t)
  const outW = Math.abs(w * cos) + Math.abs(h * sin)
  const outH = Math.abs(w * sin) + Math.abs(h * cos)
  const x = p.x - w / 2
  const y = p.y - h / 2
  // y points down, so a clockwise turn on screen is the usual rotation matrix.
  return { x: x * cos - y * sin + outW / 2, y: x * sin + y * cos + outH / 2 }
}

/** Plans the crop for a face whose eyes (on the image: left one, right one) are given in photo pixels. */
export function planAlignment(
  imageLeftEye: Point,
  imageRightEye: Point,
  w: number,
  h: number,
  options: AlignOptions = DEFAULT_ALIGN
): AlignPlan {
  const dx = imageRightEye.x - imageLeftEye.x
  const dy = imageRightEye.y - imageLeftEye.y
  const angle = (-Math.atan2(dy, dx) * 180) / Math.PI
  const eyes = Math.hypot(dx, dy)
  const centre = rotatePoint(
    { x: (imageLeftEye.x + imageRightEye.x) / 2, y: (imageLeftEye.y + imageRightEye.y) / 2 },
    w,
    h,
    angle
  )
  const side = eyes / options.eyeDistance
  return { angle, left: centre.x - side / 2, top: centre.y - side * options.eyeHeight, side }
}
