/**
 * Which way the map draws its points (issue 17). Pure: the browser's answers come in as arguments
 * (components/map/pointsRenderer.ts asks them).
 *
 * WebGL on a GPU draws a million points in one call of a millisecond or two. WebGL on a software
 * rasteriser (Chromium's SwiftShader, Mesa's llvmpipe, on a machine or VM without a GPU) is the
 * slowest way there is: ~100 ms a frame at 35,000 points, and 1,000,000 did not finish 60 frames in
 * two minutes (`npm run bench:ui`, README). There, and where there is no WebGL at all, the CPU
 * writes the points' pixels itself (mapRaster.ts).
 */
export type MapDrawing = 'webgl' | 'cpu'

/** What a researcher may ask for (localStorage `pfMapDrawing`): the automatic choice, or one of the two. */
export type MapDrawingPreference = MapDrawing | 'auto'

/** A renderer name that is a software rasteriser, not a GPU. */
const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render/i

export interface WebGlProbe {
  /** Whether a WebGL context could be made at all. */
  available: boolean
  /** The renderer's name as the browser gives it (unmasked where it allows), '' if unknown. */
  renderer: string
}

export interface MapDrawingChoice {
  drawing: MapDrawing
  /** Why, in words for the map's caption. */
  reason: string
}

export function parsePreference(value: string | null | undefined): MapDrawingPreference {
  return value === 'webgl' || value === 'cpu' ? value : 'auto'
}

export function chooseMapDrawing(preference: MapDrawingPreference, webgl: WebGlProbe): MapDrawingChoice {
  if (!webgl.available) return { drawing: 'cpu', reason: 'this browser gives no WebGL context' }
  if (preference === 'cpu') return { drawing: 'cpu', reason: 'asked for (pfMapDrawing = cpu)' }
  if (preference === 'webgl')
    return { drawing: 'webgl', reason: `asked for (pfMapDrawing = webgl): ${webgl.renderer || 'WebGL'}` }
  if (SOFTWARE.test(webgl.renderer))
    return { drawing: 'cpu', reason: `WebGL here is a software rasteriser, not a GPU (${webgl.renderer})` }
  return { drawing: 'webgl', reason: webgl.renderer || 'WebGL' }
}
