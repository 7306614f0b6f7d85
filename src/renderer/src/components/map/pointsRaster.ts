/**
 * The map's points drawn by the CPU on a 2D canvas (issue 17): mapRaster.ts writes them into the
 * pixels of one ImageData, kept between frames, which is put on the canvas whole. Chosen where
 * WebGL is a software rasteriser or missing (mapDrawing.ts).
 */
import { drawPoints, packColour, POINT_ALPHA } from '../../mapRaster'
import type { PointsRenderer } from './pointsRenderer'

/** null where the browser gives no 2D context either (the map then says so). */
export function createPointsRaster(canvas: HTMLCanvasElement): PointsRenderer | null {
  const context = canvas.getContext('2d', { alpha: false })
  if (!context) return null
  let x: Float32Array = new Float32Array(0)
  let y: Float32Array = new Float32Array(0)
  let category: Float32Array = new Float32Array(0)
  let palette = new Uint32Array([packColour('#888888', POINT_ALPHA)])
  let image: ImageData | null = null

  return {
    setPoints(px, py, pcategory) {
      x = px
      y = py
      category = pcategory
    },
    setPalette(colours) {
      palette = Uint32Array.from(colours, (c) => packColour(c, POINT_ALPHA))
    },
    draw(cam, side, pixelRatio, pointSize) {
      const width = Math.round(side * pixelRatio)
      if (canvas.width !== width) canvas.width = canvas.height = width
      if (!image || image.width !== width) image = context.createImageData(width, width)
      const pixels = new Uint32Array(image.data.buffer)
      drawPoints({ pixels, width, cam, diameter: pointSize * pixelRatio }, x, y, category, palette)
      context.putImageData(image, 0, 0)
    },
    destroy() {
      image = null
    }
  }
}
