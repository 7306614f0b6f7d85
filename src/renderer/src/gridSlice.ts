import type { StoreApi } from 'zustand'
import type { ApiEvents, PokerFaceClient } from '@shared/api'
import type { Sample, UndoResult } from '@shared/types'
import { afterBurst } from './afterBurst'
import { patchPages, viewFollowsDecisions } from './pagePatch'
import type { ReviewState } from './store'

/** Rows fetched per request while scrolling; the grid asks only for the pages it shows. */
export const PAGE_SIZE = 300

/**
 * The dataset summary and the review metrics are re-read this long after the last decision, once
 * for a burst of key presses, instead of twice per key press: the counts they show (changed,
 * reviewed) may lag a key press by this much, the tiles never do.
 */
export const COUNTS_DELAY_MS = 800

/** Another window's decisions re-count a view they can reshape this long after the last of a burst. */
const REFRESH_DELAY_MS = 300

/** The grid's rows: the count of the current view and the pages of it loaded so far. */
export interface GridSlice {
  total: number
  /** Loaded pages of the current filter, by page index. Replaced (not mutated) on change. */
  pages: Map<number, Sample[]>
  /** Bumped whenever what the grid shows must be fetched again. */
  generation: number
  /**
   * Re-reads the count (and, unless `summary` is false, the dataset summary) and drops cached
   * pages; the grid refetches what it shows.
   */
  refreshGrid(options?: { summary?: boolean }): Promise<void>
  ensurePages(first: number, last: number): void
  sampleAt(index: number): Sample | undefined
  /** Puts these rows in place of the loaded ones with the same ids (a decision's new labels and marks). */
  patchSamples(samples: Sample[]): void
  /**
   * After a decision here: the changed tiles are patched from the answer, and only a view the
   * decision can reshape (a label or reviewed filter…) is counted and fetched again. The counts
   * beside the grid follow a moment later (COUNTS_DELAY_MS).
   */
  afterDecision(result: UndoResult): Promise<void>
  /** A decision made anywhere (this window, another one): patch what is loaded. */
  onLabelsChanged(event: ApiEvents['labelsChanged']): void
}

export function createGridSlice(
  set: StoreApi<ReviewState>['setState'],
  get: StoreApi<ReviewState>['getState'],
  client: PokerFaceClient
): GridSlice {
  /** Page requests in flight, as `${generation}:${page}`. */
  const pending = new Set<string>()
  /**
   * Rows patched since the pages were last dropped: a page request sent before a decision answers
   * with the rows as they were, and gets these laid over it.
   */
  let patched = new Map<number, Sample>()
  const reloadCountsSoon = afterBurst(COUNTS_DELAY_MS, (datasetId: number) => {
    if (get().dataset?.id !== datasetId) return
    void client
      .call('getDataset', { datasetId })
      .then((summary) => {
        if (get().dataset?.id === datasetId) set({ dataset: summary })
      })
      .catch(() => undefined) // the next decision or reload tries again; the tiles are right meanwhile
    void get().loadMetrics()
  })

  /** A re-read for other windows' decisions, once for a burst of them. */
  const refreshSoon = afterBurst(REFRESH_DELAY_MS, () => {
    void refreshGrid({ summary: false }).catch(() => undefined) // the tiles stay as patched; the next decision re-reads
  })

  /**
   * Rows patched while each re-read is under way: newer than what it read, so they are laid over
   * its rows when it lands (a key pressed during the re-count after the previous one).
   */
  const arrivedDuring = new Set<Map<number, Sample>>()

  const refreshGrid: GridSlice['refreshGrid'] = async (options = {}) => {
    const { dataset, filter, sort } = get()
    if (!dataset) return
    const arrived = new Map<number, Sample>()
    arrivedDuring.add(arrived)
    try {
      const [summary, first] = await Promise.all([
        options.summary === false ? dataset : client.call('getDataset', { datasetId: dataset.id }),
        client.call('querySamples', { datasetId: dataset.id, filter, sort, offset: 0, limit: PAGE_SIZE })
      ])
      pending.clear()
      // Older patches are in what was read; only those that came since are kept.
      patched = arrived
      set((s) => ({
        dataset: summary,
        total: first.total,
        pages: patchPages(new Map([[0, first.samples]]), arrived),
        generation: s.generation + 1,
        cursor: Math.min(s.cursor, Math.max(0, first.total - 1))
      }))
    } finally {
      arrivedDuring.delete(arrived)
    }
  }

  const patchSamples: GridSlice['patchSamples'] = (samples) => {
    if (samples.length === 0) return
    for (const s of samples) {
      patched.set(s.id, s)
      for (const during of arrivedDuring) during.set(s.id, s)
    }
    const pages = patchPages(get().pages, patched)
    if (pages !== get().pages) set({ pages })
  }

  return {
    total: 0,
    pages: new Map(),
    generation: 0,
    refreshGrid,
    patchSamples,

    ensurePages: (first, last) => {
      const { dataset, filter, sort, pages, generation } = get()
      if (!dataset) return
      for (let page = Math.max(0, first); page <= last; page++) {
        const key = `${generation}:${page}`
        if (pages.has(page) || pending.has(key)) continue
        pending.add(key)
        void client
          .call('querySamples', { datasetId: dataset.id, filter, sort, offset: page * PAGE_SIZE, limit: PAGE_SIZE })
          .then((result) => {
            if (get().generation !== generation) return // a newer filter or re-read superseded this
            const next = new Map(get().pages)
            next.set(page, result.samples)
            set({ pages: patchPages(next, patched) })
          })
          .catch((err) => set({ notice: { kind: 'error', text: (err as Error).message ?? String(err) } }))
          .finally(() => pending.delete(key))
      }
    },

    sampleAt: (index) => get().pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE],

    afterDecision: async (result) => {
      const { dataset, filter } = get()
      if (!dataset || result.sampleIds.length === 0) return
      if (result.samples) patchSamples(result.samples)
      // Past CHANGED_ROWS_LIMIT the answer names the samples only; a view that the decision can
      // reshape (the face leaves "not reviewed yet") must be counted again to place the cursor.
      if (!result.samples || viewFollowsDecisions(filter)) await refreshGrid({ summary: false })
      reloadCountsSoon(dataset.id)
    },

    onLabelsChanged: (event) => {
      const { dataset, cursor, sampleAt, deciding, filter } = get()
      if (dataset?.id !== event.datasetId) return
      if (event.samples) patchSamples(event.samples)
      // Rows not sent, or another window's decision on a view it can reshape ("not reviewed yet"):
      // counted and fetched again. This window's own decisions do that themselves (afterDecision).
      if (!event.samples || (deciding === 0 && viewFollowsDecisions(filter))) refreshSoon(undefined)
      reloadCountsSoon(dataset.id)
      // Another window's decision on the face shown in detail: re-read its marks and note. This
      // window's own decisions re-read it themselves, after moving on.
      const current = sampleAt(cursor)
      if (deciding === 0 && current && event.sampleIds.includes(current.id)) set((s) => ({ reviewVersion: s.reviewVersion + 1 }))
    }
  }
}
