/**
 * The map's points drawn on the CPU into a pixel buffer (issue 17): where a browser's WebGL is a
 * software rasteriser (SwiftShader on a machine without a GPU) it drew 35,000 points in ~100 ms a
 * frame and did not finish 60 frames of 1,000,000 in two minutes, while writing each point's few
 * pixels into an array is one pass of arithmetic. Pure: pixels in, pixels out; the canvas that shows
 * them is components/map/pointsRaster.ts.
 */
import type { MapCamera } from './mapCamera'

/** The map's background, whichever way it is drawn (pointsGl.ts clears to it too). */
export const MAP_BACKGROUND = '#0d0f12'
/** How opaque a point is over the background (pointsGl.ts's shader blends with it too). */
export const POINT_ALPHA = 0.85

/** A CSS hex colour's red, green and blue, 0..255. */
export function rgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16)
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
}

/**
 * A colour as one pixel of an ImageData viewed as a Uint32Array (RGBA bytes, little-endian: ABGR),
 * `alpha` of it laid over the background once: points that overlap cover each other, as on a chart.
 */
export function packColour(hex: string, alpha = 1, background = MAP_BACKGROUND): number {
  const c = rgb(hex)
  const b = rgb(background)
  const [r, g, bl] = c.map((v, i) => Math.round(alpha * v + (1 - alpha) * b[i]))
  return ((255 << 24) | (bl << 16) | (g << 8) | r) >>> 0
}

/**
 * The pixels a point of `diameter` device pixels covers, as offsets from the pixel it falls in:
 * a square up to 2 pixels across, a disc beyond (as the WebGL shader cuts its squares round).
 */
export function pointFootprint(diameter: number): Int32Array {
  const d = Math.max(1, Math.round(diameter))
  const offsets: number[] = []
  const r = d / 2
  const first = -Math.floor((d - 1) / 2)
  for (let dy = first; dy < first + d; dy++)
    for (let dx = first; dx < first + d; dx++) {
      // Distance from the footprint's centre to this pixel's centre.
      const cx = dx + 0.5 - (first + r)
      const cy = dy + 0.5 - (first + r)
      if (d <= 2 || cx * cx + cy * cy <= r * r) offsets.push(dx, dy)
    }
  return Int32Array.from(offsets)
}

export interface RasterFrame {
  /** width × width pixels, row by row from the top: an ImageData's data as a Uint32Array. */
  pixels: Uint32Array
  width: number
  cam: MapCamera
  /** Point diameter in device pixels. */
  diameter: number
}

/**
 * Clears the frame to the background and draws every point in array order (a later point covers an
 * earlier one, as WebGL draws them), coloured `palette[category]` (the last entry beyond its end).
 * Positions follow mapCamera.toScreen in device pixels. Returns how many points fell in view.
 */
export function drawPoints(
  frame: RasterFrame,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  category: ArrayLike<number>,
  palette: Uint32Array,
  background = packColour(MAP_BACKGROUND)
): number {
  const { pixels, width, cam } = frame
  pixels.fill(background)
  const half = width / 2
  const { cx, cy, zoom } = cam
  const footprint = pointFootprint(frame.diameter)
  const last = palette.length - 1
  let shown = 0
  for (let i = 0; i < x.length; i++) {
    // Term for term as toScreen, so a point's pixel is where the pointer finds it.
    const px = Math.floor(half + (x[i] - cx) * zoom * half)
    const py = Math.floor(half - (y[i] - cy) * zoom * half)
    // A point off the canvas by more than its footprint draws nothing: most of a zoomed-in million.
    if (px < -8 || py < -8 || px >= width + 8 || py >= width + 8) continue
    shown++
    const colour = palette[Math.min(category[i], last)]
    for (let k = 0; k < footprint.length; k += 2) {
      const qx = px + footprint[k]
      const qy = py + footprint[k + 1]
      if (qx >= 0 && qy >= 0 && qx < width && qy < width) pixels[qy * width + qx] = colour
    }
  }
  return shown
}
