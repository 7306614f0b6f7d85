import { useEffect, useLayoutEffect, useRef, useState } from 'react'
import { isFling, SETTLE_MS } from '../fling'
import { PAGE_SIZE } from '../store'
import { useReview, useReviewStore } from '../useReview'
import { Tile } from './Tile'

/** Tile pitch in pixels (tile plus gap). Fixed, so the grid can place any row without measuring. */
const PITCH = 124
/** Rows rendered above and below the viewport so fast scrolling shows no gaps. */
const OVERSCAN = 3

/**
 * A virtualised grid: only the rows in view exist in the DOM (a few hundred tiles whatever the
 * dataset size), and only the pages of samples in view are fetched.
 */
export function Grid(): React.JSX.Element {
  const store = useReviewStore()
  const total = useReview((s) => s.total)
  const cursor = useReview((s) => s.cursor)
  const columns = useReview((s) => s.columns)
  useReview((s) => s.pages) // re-render when a page arrives
  const generation = useReview((s) => s.generation)
  const restoredScroll = useReview((s) => s.restoredScroll)
  const ref = useRef<HTMLDivElement>(null)
  const [view, setView] = useState({ top: 0, height: 600, width: 800 })
  // While flinging, tiles coming into view hold back their thumbnails (../fling.ts).
  const [flinging, setFlinging] = useState(false)
  const lastScroll = useRef({ top: 0, at: -Infinity })
  const settle = useRef<number | undefined>(undefined)
  useEffect(() => () => window.clearTimeout(settle.current), [])

  useLayoutEffect(() => {
    const el = ref.current
    if (!el) return
    const measure = (): void => {
      setView({ top: el.scrollTop, height: el.clientHeight, width: el.clientWidth })
      store.getState().setColumns(Math.floor(el.clientWidth / PITCH))
    }
    measure()
    const observer = new ResizeObserver(measure)
    observer.observe(el)
    return () => observer.disconnect()
  }, [store])

  const rows = Math.ceil(total / columns)
  const firstRow = Math.max(0, Math.floor(view.top / PITCH) - OVERSCAN)
  const lastRow = Math.min(rows - 1, Math.ceil((view.top + view.height) / PITCH) + OVERSCAN)
  const firstIndex = firstRow * columns
  const lastIndex = Math.min(total - 1, (lastRow + 1) * columns - 1)

  useEffect(() => {
    // One page either side of the view too, so a fast scroll finds the next rows already there.
    const lastPage = Math.floor(Math.max(0, total - 1) / PAGE_SIZE)
    if (total > 0)
      store
        .getState()
        .ensurePages(
          Math.max(0, Math.floor(firstIndex / PAGE_SIZE) - 1),
          Math.min(lastPage, Math.floor(lastIndex / PAGE_SIZE) + 1)
        )
  }, [store, firstIndex, lastIndex, total, generation])

  // Keep the cursor in view when the keyboard moves it.
  useEffect(() => {
    const el = ref.current
    if (!el) return
    const row = Math.floor(cursor / columns)
    if (row * PITCH < el.scrollTop) el.scrollTop = row * PITCH
    else if ((row + 1) * PITCH > el.scrollTop + el.clientHeight) el.scrollTop = (row + 1) * PITCH - el.clientHeight
  }, [cursor, columns])

  // A restored view (a reload, a link, a switch back) scrolls where it was left; after the cursor
  // effect above, so the saved offset wins over "cursor in view".
  useEffect(() => {
    const el = ref.current
    if (!el || restoredScroll === null || total === 0) return
    el.scrollTop = restoredScroll
    store.getState().scrolledToRestored()
  }, [store, restoredScroll, total])

  const { sampleAt } = store.getState()
  const tiles: React.JSX.Element[] = []
  for (let i = firstIndex; i <= lastIndex; i++) {
    tiles.push(
      <Tile
        key={i}
        index={i}
        sample={sampleAt(i)}
        top={Math.floor(i / columns) * PITCH}
        left={(i % columns) * PITCH}
        showThumbnail={!flinging}
      />
    )
  }

  return (
    <div
      className="grid"
      ref={ref}
      tabIndex={-1}
      data-testid="grid"
      onScroll={(e) => {
        // Read now: the updater may run after React has cleared the event's currentTarget.
        const top = e.currentTarget.scrollTop
        const now = performance.now()
        const fast = isFling(top - lastScroll.current.top, now - lastScroll.current.at)
        lastScroll.current = { top, at: now }
        window.clearTimeout(settle.current)
        if (fast) settle.current = window.setTimeout(() => setFlinging(false), SETTLE_MS)
        setFlinging(fast)
        setView((v) => ({ ...v, top }))
        store.getState().setScrollTop(top)
      }}
      // Take focus from a filter control so the review keys work right after a click.
      onMouseDown={() => ref.current?.focus({ preventScroll: true })}
    >
      {total === 0 ? (
        <p className="empty">No images match these filters.</p>
      ) : (
        <div className="grid-inner" style={{ height: rows * PITCH }}>
          {tiles}
        </div>
      )}
    </div>
  )
}
