/**
 * Where the embedding map looks, and what a pointer on it means (issue 17). Pure: the map's layout
 * is [-1, 1] on both axes; the camera shows a square of it, centred on (cx, cy), `zoom` times
 * magnified, on a square canvas of `side` CSS pixels (y up, as on a chart).
 */
export interface MapCamera {
  cx: number
  cy: number
  zoom: number
}

export const HOME_CAMERA: MapCamera = { cx: 0, cy: 0, zoom: 1 }
const MIN_ZOOM = 0.5
const MAX_ZOOM = 2000

export function toScreen(cam: MapCamera, side: number, x: number, y: number): [number, number] {
  const half = side / 2
  return [half + (x - cam.cx) * cam.zoom * half, half - (y - cam.cy) * cam.zoom * half]
}

export function toData(cam: MapCamera, side: number, sx: number, sy: number): [number, number] {
  const half = side / 2
  return [cam.cx + (sx - half) / (cam.zoom * half), cam.cy - (sy - half) / (cam.zoom * half)]
}

/** Zooms by `factor`, keeping the layout point under (sx, sy) where it is: the wheel zooms where you point. */
export function zoomAt(cam: MapCamera, side: number, sx: number, sy: number, factor: number): MapCamera {
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, cam.zoom * factor))
  const [x, y] = toData(cam, side, sx, sy)
  const half = side / 2
  return { zoom, cx: x - (sx - half) / (zoom * half), cy: y + (sy - half) / (zoom * half) }
}

/** Moves the view with a drag of (dx, dy) screen pixels. */
export function panBy(cam: MapCamera, side: number, dx: number, dy: number): MapCamera {
  const half = side / 2
  return { ...cam, cx: cam.cx - dx / (cam.zoom * half), cy: cam.cy + dy / (cam.zoom * half) }
}

/** Even-odd test: whether (px, py) lies inside the polygon. */
export function insidePolygon(polygon: [number, number][], px: number, py: number): boolean {
  let inside = false
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]
    const [xj, yj] = polygon[j]
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

/**
 * The points inside a lasso (a polygon in layout coordinates), by index, in map order. A bounding
 * box test first: most of a million points are rejected with four comparisons.
 */
export function lassoPick(x: ArrayLike<number>, y: ArrayLike<number>, polygon: [number, number][]): number[] {
  if (polygon.length < 3) return []
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity]
  for (const [px, py] of polygon) {
    minX = Math.min(minX, px)
    maxX = Math.max(maxX, px)
    minY = Math.min(minY, py)
    maxY = Math.max(maxY, py)
  }
  const picked: number[] = []
  for (let i = 0; i < x.length; i++) {
    if (x[i] < minX || x[i] > maxX || y[i] < minY || y[i] > maxY) continue
    if (insidePolygon(polygon, x[i], y[i])) picked.push(i)
  }
  return picked
}

/** The index of the point nearest (px, py) within `radius` (layout units), or -1. */
export function nearestPoint(x: ArrayLike<number>, y: ArrayLike<number>, px: number, py: number, radius: number): number {
  let best = -1
  let bestD = radius * radius
  for (let i = 0; i < x.length; i++) {
    const dx = x[i] - px
    if (dx > radius || dx < -radius) continue
    const dy = y[i] - py
    const d = dx * dx + dy * dy
    if (d <= bestD) {
      bestD = d
      best = i
    }
  }
  return best
}
