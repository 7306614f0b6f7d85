import { viewFromSearch, viewToSearch, type DatasetView, type ViewFromUrl } from './viewUrl'

/**
 * Where dataset views are kept outside the store: the page's address (the view on screen, so a
 * reload, a bookmark or a copied link shows it) and this browser's storage (every dataset's last
 * view, so switching back or reopening after a restart finds it as it was left).
 */
export interface ViewPlace {
  /** The view the page was opened with, and whether this tab had written it (a reload). */
  opened(): ViewFromUrl & { reloaded: boolean }
  /** The view now on screen (datasetId null: the start screen). */
  show(datasetId: number | null, view: DatasetView): void
  /** A dataset's last view in this browser, or null. */
  recall(datasetId: number): DatasetView | null
}

const storageKey = (datasetId: number): string => `pf.view.${datasetId}`
/** Marks history entries this app wrote; the browser keeps it across a reload, not in a new tab. */
const MARK = { pokerfaceView: true }
/**
 * Writes within one dataset wait this long for the next change. Chromium ignores (and warns about)
 * more than about a hundred history.replaceState calls in ten seconds, which a held arrow key or a
 * scroll reaches; and each localStorage write is synchronous (up to a quarter of a frame's script
 * while flinging through a million faces, issue 19). The pending writes are also made when the page
 * goes away, but a reload has already taken its address by then, so a switch of dataset (rare,
 * never a burst) is written at once: a reload right after opening another dataset must come back to
 * that dataset.
 */
const WRITE_DELAY_MS = 250

export function browserViewPlace(win: Window): ViewPlace {
  // The view waiting to be written, to the address and (for a dataset) to this browser's storage.
  let pending: { datasetId: number | null; search: string } | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  // The dataset the address names once the pending write is made (undefined: not written yet).
  let addressDataset: number | null | undefined
  const write = (): void => {
    if (timer !== null) clearTimeout(timer)
    timer = null
    if (pending === null) return
    const { datasetId, search } = pending
    pending = null
    if (datasetId !== null) {
      try {
        win.localStorage.setItem(storageKey(datasetId), search)
      } catch {
        // Storage full or disabled (a private window): the address still carries the view.
      }
    }
    const { pathname, hash } = win.location
    win.history.replaceState(MARK, '', `${pathname}${search ? `?${search}` : ''}${hash}`)
  }
  win.addEventListener('pagehide', write)

  return {
    opened: () => ({
      ...viewFromSearch(win.location.search),
      reloaded: (win.history.state as typeof MARK | null)?.pokerfaceView === true
    }),
    show: (datasetId, view) => {
      const switched = datasetId !== addressDataset
      // The last dataset's view is kept before this one's is noted; a switch is written at once.
      if (switched) write()
      pending = { datasetId, search: viewToSearch(datasetId, view) }
      addressDataset = datasetId
      if (switched) write()
      else if (timer === null) timer = setTimeout(write, WRITE_DELAY_MS)
    },
    recall: (datasetId) => {
      write()
      let saved: string | null = null
      try {
        saved = win.localStorage.getItem(storageKey(datasetId))
      } catch {
        return null
      }
      if (saved === null) return null
      const read = viewFromSearch(saved)
      // Written by this app, so only a different app version's entry could fail to read: start afresh.
      return read.datasetId === datasetId && read.ignored.length === 0 ? read.view : null
    }
  }
}
