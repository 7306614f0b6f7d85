/**
 * The map's two ways of drawing its points, one interface, and the choice between them made once
 * per map from what the browser says of its WebGL (mapDrawing.ts decides; this file asks).
 */
import type { MapCamera } from '../../mapCamera'
import { chooseMapDrawing, parsePreference, type MapDrawingChoice, type WebGlProbe } from '../../mapDrawing'
import { createPointsGl } from './pointsGl'
import { createPointsRaster } from './pointsRaster'

export interface PointsRenderer {
  setPoints(x: Float32Array, y: Float32Array, category: Float32Array): void
  /** One CSS hex colour per category; a category beyond the last is drawn in the last colour. */
  setPalette(colours: string[]): void
  /** Draws the points; `side` in CSS pixels, `pixelRatio` device pixels per CSS pixel. */
  draw(cam: MapCamera, side: number, pixelRatio: number, pointSize: number): void
  destroy(): void
}

/** The page's answer, asked once: the graphics stack does not change while the page lives. */
let probed: WebGlProbe | null = null

/**
 * WebGL's renderer name, from a context on a canvas of its own (a canvas holds one kind of
 * context, and the map's may become a 2D one), released at once; asked the first time a map opens.
 */
function probeWebGl(): WebGlProbe {
  if (probed) return probed
  const gl = document.createElement('canvas').getContext('webgl')
  if (!gl) return (probed = { available: false, renderer: '' })
  const debug = gl.getExtension('WEBGL_debug_renderer_info')
  const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '')
  gl.getExtension('WEBGL_lose_context')?.loseContext()
  return (probed = { available: true, renderer })
}

/** The stored preference; storage can be refused (a sandboxed page), which means automatic. */
function storedPreference(): string | null {
  try {
    return localStorage.getItem('pfMapDrawing')
  } catch {
    return null
  }
}

/** A renderer on `canvas` and why it was chosen; null where neither way can draw here. */
export function createPointsRenderer(canvas: HTMLCanvasElement): { renderer: PointsRenderer; choice: MapDrawingChoice } | null {
  const choice = chooseMapDrawing(parsePreference(storedPreference()), probeWebGl())
  const renderer = choice.drawing === 'webgl' ? createPointsGl(canvas) : createPointsRaster(canvas)
  return renderer ? { renderer, choice } : null
}
