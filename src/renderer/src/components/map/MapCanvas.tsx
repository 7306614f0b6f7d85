import { useEffect, useRef, useState } from 'react'
import { HOME_CAMERA, lassoPick, nearestPoint, panBy, toData, toScreen, zoomAt, type MapCamera } from '../../mapCamera'
import type { Colouring, MapPoints } from '../../mapColouring'
import type { MapDrawingChoice } from '../../mapDrawing'
import { createPointsRenderer, type PointsRenderer } from './pointsRenderer'

interface MapCanvasProps {
  points: MapPoints
  colouring: Colouring
  /** The canvas's side in CSS pixels (square, so the [-1, 1] layout keeps its shape). */
  side: number
  thumbUrl(sampleId: number): string
  onLasso(sampleIds: number[]): void
}

/** Smaller points as the map fills: a million 6-pixel points would be one blob. */
const pointSize = (n: number): number => (n > 200_000 ? 1.5 : n > 20_000 ? 3 : 6)
/** How near (CSS pixels) the pointer must come to a point to show its face. */
const HOVER_PX = 8

type Drag = { kind: 'pan'; x: number; y: number } | { kind: 'lasso'; path: [number, number][] }

/**
 * The embedding map: wheel zooms where the pointer is, drag pans, Shift+drag lassos the faces
 * inside into the grid, hovering a point shows its face.
 */
export function MapCanvas({ points, colouring, side, thumbUrl, onLasso }: MapCanvasProps): React.JSX.Element {
  const canvasRef = useRef<HTMLCanvasElement>(null)
  const drawerRef = useRef<PointsRenderer | null>(null)
  const [drawing, setDrawing] = useState<MapDrawingChoice | null>(null)
  const [camera, setCamera] = useState<MapCamera>(HOME_CAMERA)
  const [drag, setDrag] = useState<Drag | null>(null)
  const [hover, setHover] = useState<number>(-1)
  const [failure, setFailure] = useState<string | null>(null)

  useEffect(() => {
    const canvas = canvasRef.current
    if (!canvas) return
    try {
      const made = createPointsRenderer(canvas)
      if (made) {
        drawerRef.current = made.renderer
        setDrawing(made.choice)
      } else setFailure('this browser gives neither a WebGL nor a 2D canvas context')
    } catch (err) {
      setFailure((err as Error).message)
    }
    return () => {
      drawerRef.current?.destroy()
      drawerRef.current = null
    }
  }, [])

  useEffect(() => {
    drawerRef.current?.setPoints(points.x, points.y, colouring.category)
    drawerRef.current?.setPalette(colouring.palette)
  }, [points, colouring, drawing])

  useEffect(() => {
    const frame = requestAnimationFrame(() =>
      drawerRef.current?.draw(camera, side, window.devicePixelRatio || 1, pointSize(points.x.length))
    )
    return () => cancelAnimationFrame(frame)
  }, [camera, side, points, colouring, drawing])

  // React's onWheel is passive: the page would scroll as the map zooms.
  useEffect(() => {
    const canvas = canvasRef.current
    if (!canvas) return
    const onWheel = (e: WheelEvent): void => {
      e.preventDefault()
      const box = canvas.getBoundingClientRect()
      setCamera((cam) => zoomAt(cam, side, e.clientX - box.left, e.clientY - box.top, Math.exp(-e.deltaY * 0.0015)))
    }
    canvas.addEventListener('wheel', onWheel, { passive: false })
    return () => canvas.removeEventListener('wheel', onWheel)
  }, [side])

  const local = (e: React.MouseEvent): [number, number] => {
    const box = (canvasRef.current as HTMLCanvasElement).getBoundingClientRect()
    return [e.clientX - box.left, e.clientY - box.top]
  }

  const onMouseDown = (e: React.MouseEvent): void => {
    if (e.button !== 0) return
    const [x, y] = local(e)
    setHover(-1)
    setDrag(e.shiftKey ? { kind: 'lasso', path: [[x, y]] } : { kind: 'pan', x, y })
  }

  const onMouseMove = (e: React.MouseEvent): void => {
    const [x, y] = local(e)
    if (drag?.kind === 'pan') {
      setCamera((cam) => panBy(cam, side, x - drag.x, y - drag.y))
      setDrag({ kind: 'pan', x, y })
    } else if (drag?.kind === 'lasso') setDrag({ kind: 'lasso', path: [...drag.path, [x, y]] })
    else {
      const [dx, dy] = toData(camera, side, x, y)
      setHover(nearestPoint(points.x, points.y, dx, dy, HOVER_PX / ((camera.zoom * side) / 2)))
    }
  }

  const onMouseUp = (): void => {
    if (drag?.kind === 'lasso' && drag.path.length >= 3) {
      const polygon = drag.path.map(([x, y]) => toData(camera, side, x, y))
      const picked = lassoPick(points.x, points.y, polygon)
      onLasso(picked.map((i) => points.sampleIds[i]))
    }
    setDrag(null)
  }

  if (failure)
    return (
      <p className="notice error" role="alert">
        This browser cannot draw the map ({failure}). The grid, the filters and “more like this” (S) work without it.
      </p>
    )
  const hoverAt = hover >= 0 ? toScreen(camera, side, points.x[hover], points.y[hover]) : null
  return (
    <div className="map-canvas" style={{ width: side, height: side }}>
      <canvas
        ref={canvasRef}
        style={{ width: side, height: side }}
        aria-label="Embedding map: wheel zooms, drag pans, Shift+drag lassos faces into the grid"
        data-testid="map-canvas"
        data-drawing={drawing?.drawing}
        onMouseDown={onMouseDown}
        onMouseMove={onMouseMove}
        onMouseUp={onMouseUp}
        onMouseLeave={() => {
          setHover(-1)
          setDrag(null)
        }}
      />
      {drag?.kind === 'lasso' && (
        <svg className="map-lasso" width={side} height={side}>
          <polygon points={drag.path.map((p) => p.join(',')).join(' ')} />
        </svg>
      )}
      {hoverAt && (
        <img
          className="map-hover"
          data-testid="map-hover"
          data-sample-id={points.sampleIds[hover]}
          src={thumbUrl(points.sampleIds[hover])}
          alt=""
          style={{ left: Math.min(side - 100, hoverAt[0] + 12), top: Math.min(side - 100, hoverAt[1] + 12) }}
        />
      )}
      {drawing && (
        <span className="map-drawing muted small" data-testid="map-drawing" title={drawing.reason}>
          {drawing.drawing === 'webgl' ? 'Drawn with WebGL' : 'Drawn on the CPU'}
        </span>
      )}
      <button className="map-home" onClick={() => setCamera(HOME_CAMERA)} title="Show the whole map">
        Whole map
      </button>
    </div>
  )
}
