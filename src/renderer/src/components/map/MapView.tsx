import { useEffect, useMemo, useRef, useState } from 'react'
import type { EmbeddingMap } from '@shared/api'
import type { MapColouring } from '@shared/mapColours'
import { colouring, COLOURINGS, decodeMap } from '../../mapColouring'
import { message } from '../../store'
import { useReview, useReviewStore } from '../../useReview'
import { MapCanvas } from './MapCanvas'

/** Fetches the dataset's map again when labels or marks change, so the colours follow the review. */
function useEmbeddingMap(): { map: EmbeddingMap | null; error: string | null } {
  const store = useReviewStore()
  const datasetId = useReview((s) => s.dataset?.id)
  const version = useReview((s) => s.reviewVersion)
  const [state, setState] = useState<{ map: EmbeddingMap | null; error: string | null }>({ map: null, error: null })
  useEffect(() => {
    if (datasetId === undefined) return
    let live = true
    store
      .getState()
      .client.call('getEmbeddingMap', { datasetId })
      .then(
        (map) => live && setState({ map, error: null }),
        (err: unknown) => live && setState({ map: null, error: message(err) })
      )
    return () => void (live = false)
  }, [store, datasetId, version])
  return state
}

/** The side of the largest square that fits the pane. */
function useSquareSide(): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null)
  const [side, setSide] = useState(0)
  useEffect(() => {
    const el = ref.current
    if (!el) return
    const measure = (): void => setSide(Math.max(200, Math.floor(Math.min(el.clientWidth, el.clientHeight))))
    measure()
    const observer = new ResizeObserver(measure)
    observer.observe(el)
    return () => observer.disconnect()
  }, [])
  return [ref, side]
}

/**
 * The embedding map (issue 17): every face where the model's embedding puts it, coloured by a
 * chooser; hovering shows the face, and a lasso (Shift+drag) puts the faces inside it in the grid.
 */
export function MapView(): React.JSX.Element {
  const store = useReviewStore()
  const { map, error } = useEmbeddingMap()
  const [by, setBy] = useState<MapColouring>('label')
  const [paneRef, side] = useSquareSide()
  const points = useMemo(() => (map ? decodeMap(map) : null), [map])
  const colours = useMemo(() => (map ? colouring(map.colours, by) : null), [map, by])
  const client = store.getState().client

  let body: React.JSX.Element
  if (error)
    body = (
      <p className="notice error" role="alert">
        {error}
      </p>
    )
  else if (!map || !points || !colours) body = <p className="muted">Loading the map…</p>
  else if (points.sampleIds.length === 0)
    body = (
      <p className="notice error" role="alert" data-testid="map-empty">
        No face of this dataset has an embedding by {map.modelId} yet: run the model (one whose classify.onnx outputs “embedding”,
        as the shipped models do) on the dataset, then open the map again.{map.note ? ` ${map.note}` : ''}
      </p>
    )
  else
    body = (
      <MapCanvas
        points={points}
        colouring={colours}
        side={side}
        thumbUrl={(id) => client.imageUrl('thumb', id)}
        onLasso={(ids) => void store.getState().showLasso(ids)}
      />
    )

  return (
    <section className="map-view" aria-label="Embedding map">
      <div className="map-controls">
        <label>
          Colour by{' '}
          <select aria-label="Colour by" value={by} onChange={(e) => setBy(e.target.value as MapColouring)}>
            {COLOURINGS.map((c) => (
              <option key={c.value} value={c.value}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        {map && points && (
          <span className="muted small" data-testid="map-summary">
            {points.sampleIds.length.toLocaleString()} faces · {map.method.toUpperCase()} of {map.modelId} embeddings · wheel
            zooms, drag pans, Shift+drag lassos into the grid
          </span>
        )}
      </div>
      {map?.note && points && points.sampleIds.length > 0 && <p className="notice error">{map.note}</p>}
      {colours && (
        <ul className="map-legend" aria-label="Legend">
          {colours.legend.map((l) => (
            <li key={l.name}>
              <span className="swatch" style={{ background: l.colour }} /> {l.name}
            </li>
          ))}
        </ul>
      )}
      <div className="map-pane" ref={paneRef}>
        {side > 0 && body}
      </div>
    </section>
  )
}
