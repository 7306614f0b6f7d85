import { useEffect, useMemo, useRef, useState } from 'react'
import type { EmbeddingMap, MapLayout } from '@shared/api'
import type { MapColouring } from '@shared/mapColours'
import { colouring, COLOURINGS, decodeMap } from '../../mapColouring'
import { message } from '../../store'
import { useReview, useReviewStore } from '../../useReview'
import { LabelledSelect } from '../LabelledSelect'
import { MapCanvas } from './MapCanvas'

/** How often a map waiting for its UMAP layout asks again. */
const UMAP_POLL_MS = 2000

/**
 * Fetches the dataset's map in the layout asked for, again when labels or marks change, so the
 * colours follow the review; while a UMAP layout is being computed (PCA answers meanwhile), again
 * every UMAP_POLL_MS until it is there.
 */
function useEmbeddingMap(layout: MapLayout): { map: EmbeddingMap | null; error: string | null } {
  const store = useReviewStore()
  const datasetId = useReview((s) => s.dataset?.id)
  const version = useReview((s) => s.reviewVersion)
  const [poll, setPoll] = useState(0)
  const [state, setState] = useState<{ map: EmbeddingMap | null; error: string | null }>({ map: null, error: null })
  useEffect(() => {
    if (datasetId === undefined) return
    let live = true
    let timer: ReturnType<typeof setTimeout> | undefined
    store
      .getState()
      .client.call('getEmbeddingMap', { datasetId, method: layout })
      .then(
        (map) => {
          if (!live) return
          setState({ map, error: null })
          if (layout === 'umap' && map.umap.state === 'computing') timer = setTimeout(() => setPoll((p) => p + 1), UMAP_POLL_MS)
        },
        (err: unknown) => live && setState({ map: null, error: message(err) })
      )
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [store, datasetId, version, layout, poll])
  return state
}

const LAYOUTS: { value: MapLayout; name: string }[] = [
  { value: 'pca', name: 'PCA' },
  { value: 'umap', name: 'UMAP (computed once, in the background)' }
]

/** The layout chosen last time (kept in this browser), PCA at first. */
function useLayout(): [MapLayout, (layout: MapLayout) => void] {
  const [layout, setLayout] = useState<MapLayout>(() => {
    try {
      return localStorage.getItem('pfMapLayout') === 'umap' ? 'umap' : 'pca'
    } catch {
      return 'pca'
    }
  })
  const choose = (next: MapLayout): void => {
    setLayout(next)
    try {
      localStorage.setItem('pfMapLayout', next)
    } catch {
      // storage refused (a sandboxed page): the choice lasts as long as the page
    }
  }
  return [layout, choose]
}

/** What the map says of its UMAP layout when UMAP was asked for and is not what is shown. */
function umapNote(map: EmbeddingMap): string | null {
  const u = map.umap
  if (u.state === 'computing')
    return u.total > 0
      ? `UMAP: computing, ${Math.floor((100 * u.done) / u.total)} % (${u.done} of ${u.total} epochs); PCA shown meanwhile.`
      : 'UMAP: starting (from each face’s nearest neighbours); PCA shown meanwhile.'
  if (u.state === 'unavailable' || u.state === 'failed') return u.reason
  return null
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
  const [layout, setLayout] = useLayout()
  const { map, error } = useEmbeddingMap(layout)
  const [by, setBy] = useState<MapColouring>('label')
  const [paneRef, side] = useSquareSide()
  const points = useMemo(() => (map ? decodeMap(map) : null), [map])
  const colours = useMemo(() => (map ? colouring(map.colours, by) : null), [map, by])
  const client = store.getState().client
  const umapWaiting = map && layout === 'umap' && map.method !== 'umap' ? umapNote(map) : null

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
        <LabelledSelect label="Colour by" value={by} choices={COLOURINGS} onChange={setBy} />
        <LabelledSelect label="Layout" value={layout} choices={LAYOUTS} onChange={setLayout} />
        {map && points && (
          <span className="muted small" data-testid="map-summary">
            {points.sampleIds.length.toLocaleString()} faces · {map.method.toUpperCase()} of {map.modelId} embeddings · wheel
            zooms, drag pans, Shift+drag lassos into the grid
          </span>
        )}
      </div>
      {map?.note && points && points.sampleIds.length > 0 && <p className="notice error">{map.note}</p>}
      {umapWaiting && (
        <p className="muted small" role="status" data-testid="map-umap-status">
          {umapWaiting}
        </p>
      )}
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
