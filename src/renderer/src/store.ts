import { create } from 'zustand'
import { ApiError, type PokerFaceClient } from '@shared/api'
import type { Label } from '@shared/emotions'
import type { CompareMode } from '@shared/shortcuts'
import type { SampleFilter, SampleSort, UndoResult } from '@shared/types'
import { createDatasetSlice, type DatasetSlice } from './datasetSlice'
import { createGridSlice, type GridSlice } from './gridSlice'
import { createReviewSlice, type ReviewSlice } from './reviewSlice'
import { createSubsetSlice, type SubsetSlice } from './subsetSlice'
import { browserViewPlace, type ViewPlace } from './viewPlace'
import type { DatasetView } from './viewUrl'

export { PAGE_SIZE } from './gridSlice'

export interface Notice {
  kind: 'info' | 'error'
  text: string
}

export interface CompareSettings {
  mode: CompareMode
  /** Emotion-map overlay opacity, 0..1. */
  opacity: number
  /** Wipe position: the share of the width showing the poker face, 0..1. */
  wipe: number
}

/**
 * The review workspace's state, in slices with one job each: which dataset is open
 * (./datasetSlice.ts), the grid's rows (./gridSlice.ts), the label-issue review (./reviewSlice.ts),
 * grids of chosen faces (./subsetSlice.ts); this file keeps what the grid shows (filter, order,
 * selection, cursor), the decisions and their undo, and the panes around the grid.
 */
export interface ReviewState extends DatasetSlice, GridSlice, ReviewSlice, SubsetSlice {
  client: PokerFaceClient
  filter: SampleFilter
  sort: SampleSort
  cursor: number
  selected: Set<number>
  /** The grid's scroll offset, kept with the dataset's view. */
  scrollTop: number
  /** A scroll offset the grid is to go to once the rows are there (a restored view), then null. */
  restoredScroll: number | null
  columns: number
  canUndo: boolean
  canRedo: boolean
  notice: Notice | null
  overlay: 'help' | 'export' | 'problems' | null
  /** The centre pane: the grid of faces, the metrics charts, or the embedding map. */
  view: 'grid' | 'metrics' | 'map'
  compare: CompareSettings
  /** Decisions of this window waiting for their answer (labelsChanged events meanwhile are their own). */
  deciding: number

  /** What the grid shows now: filter, order, selection, cursor, scroll. */
  viewNow(): DatasetView
  /** Shows a view of the open dataset (and a centre tab), fetched again, scrolled where it was. */
  showView(view: DatasetView, tab: ReviewState['view']): Promise<void>
  setFilter(patch: Partial<SampleFilter>): void
  clearFilter(): void
  setSort(sort: SampleSort): void
  select(index: number, mode?: 'replace' | 'toggle' | 'range'): void
  move(delta: number): void
  setColumns(columns: number): void
  setScrollTop(top: number): void
  /** The grid took the restored scroll offset. */
  scrolledToRestored(): void
  /** The samples a key acts on: the selection, else the one under the cursor. */
  targetIds(): number[]
  /**
   * Runs one review decision on the target samples: one write call, whose answer patches the
   * decided tiles (./gridSlice.ts afterDecision). Then, when `advance` (and `apply` did not answer
   * null: nothing to do), moves to the next sample, which has slid into place if the decided one
   * left the view.
   */
  decide(
    apply: (datasetId: number, ids: number[]) => Promise<UndoResult | null>,
    advance: boolean,
    /** The samples the decision is for, when taken before an await (a filter change clears the selection). */
    targets?: number[]
  ): Promise<void>
  labelSelection(label: Label | null): Promise<void>
  undo(): Promise<void>
  redo(): Promise<void>
  /** Takes back (or does again) one step of the undo history, says which, and puts the cursor on it. */
  undoOrRedo(which: 'undo' | 'redo'): Promise<void>
  /** Re-reads the dataset and the visible pages (after a model run, for instance). */
  reload(): Promise<void>
  setOverlay(overlay: ReviewState['overlay']): void
  setView(view: ReviewState['view']): void
  setCompare(patch: Partial<CompareSettings>): void
  notify(notice: Notice | null): void
}

export function message(err: unknown): string {
  return err instanceof ApiError || err instanceof Error ? err.message : String(err)
}

/** What the grid shows now. */
const viewOf = (s: ReviewState): DatasetView => ({
  filter: s.filter,
  sort: s.sort,
  selected: [...s.selected],
  cursor: s.cursor,
  scrollTop: s.scrollTop
})

/**
 * The view kept in the address and in this browser: under a "more like this" or lasso grid, the
 * view it was opened from, so a reload or a shared link never carries a list of ids.
 */
function placeViewOf(s: ReviewState): DatasetView {
  let subset = s.subset
  while (subset?.outer) subset = subset.outer
  return subset ? subset.previous : viewOf(s)
}

/**
 * `place` keeps the views outside the store: the page's address and this browser's storage by
 * default, none where there is no page (the unit tests drive the store from Node).
 */
export const createReviewStore = (
  client: PokerFaceClient,
  place: ViewPlace | null = typeof window === 'undefined' ? null : browserViewPlace(window)
) =>
  create<ReviewState>((set, get, api) => {
    // Every change of what is shown (dataset, order, filters, selection, scroll) reaches the place,
    // whichever action made it: one subscription, not a write in each action.
    api.subscribe((s, prev) => {
      if (!place) return
      const changed =
        s.dataset !== prev.dataset ||
        s.filter !== prev.filter ||
        s.sort !== prev.sort ||
        s.selected !== prev.selected ||
        s.cursor !== prev.cursor ||
        s.scrollTop !== prev.scrollTop ||
        s.subset !== prev.subset
      if (changed) place.show(s.dataset?.id ?? null, placeViewOf(s))
    })

    const guarded = async (run: () => Promise<void>): Promise<void> => {
      try {
        await run()
      } catch (err) {
        set({ notice: { kind: 'error', text: message(err) } })
      }
    }

    /** A new filter or order: back to the top, selection cleared, pages fetched again. */
    const restart = (patch: Partial<ReviewState>): void => {
      set({ ...patch, cursor: 0, selected: new Set() })
      void guarded(() => get().refreshGrid({ summary: false }))
    }

    return {
      ...createDatasetSlice(set, get, client, place, guarded, message),
      ...createGridSlice(set, get, client),
      ...createReviewSlice(set, get, api, client),
      ...createSubsetSlice(set, get, client),
      client,
      filter: {},
      sort: { by: 'path' },
      cursor: 0,
      selected: new Set(),
      scrollTop: 0,
      restoredScroll: null,
      columns: 1,
      canUndo: false,
      canRedo: false,
      notice: null,
      overlay: null,
      view: 'grid',
      compare: { mode: 'original', opacity: 0.7, wipe: 0.5 },
      deciding: 0,

      viewNow: () => viewOf(get()),

      showView: (view, tab) =>
        guarded(async () => {
          set({
            filter: view.filter,
            sort: view.sort,
            selected: new Set(view.selected),
            cursor: view.cursor,
            scrollTop: view.scrollTop,
            view: tab
          })
          await get().refreshGrid({ summary: false })
          set({ restoredScroll: view.scrollTop })
        }),

      setFilter: (patch) => {
        const filter = { ...get().filter, ...patch }
        for (const key of Object.keys(filter) as (keyof SampleFilter)[]) {
          // false is "off" for the check boxes, but `reviewed: false` means "not reviewed yet".
          if (filter[key] === undefined || (filter[key] === false && key !== 'reviewed')) delete filter[key]
        }
        restart({ filter })
      },

      // Within a "more like this" or lasso grid, clearing the filters keeps its faces (Back leaves it).
      clearFilter: () => {
        const { sampleIds } = get().filter
        restart({ filter: sampleIds ? { sampleIds } : {} })
      },

      setSort: (sort) => restart({ sort }),

      select: (index, mode = 'replace') => {
        const { total, cursor, selected, sampleAt } = get()
        if (total === 0) return
        const i = Math.max(0, Math.min(total - 1, index))
        const sample = sampleAt(i)
        if (mode === 'toggle' && sample) {
          const next = new Set(selected)
          if (next.has(sample.id)) next.delete(sample.id)
          else next.add(sample.id)
          set({ cursor: i, selected: next })
        } else if (mode === 'range') {
          const next = new Set(selected)
          for (let k = Math.min(cursor, i); k <= Math.max(cursor, i); k++) {
            const s = sampleAt(k)
            if (s) next.add(s.id)
          }
          set({ cursor: i, selected: next })
        } else set({ cursor: i, selected: sample ? new Set([sample.id]) : new Set() })
      },

      move: (delta) => get().select(get().cursor + delta),

      setColumns: (columns) => set({ columns: Math.max(1, columns) }),
      setScrollTop: (top) => set({ scrollTop: top }),
      scrolledToRestored: () => set({ restoredScroll: null }),

      targetIds: () => {
        const { selected, cursor, sampleAt } = get()
        const current = sampleAt(cursor)
        return selected.size > 0 ? [...selected] : current ? [current.id] : []
      },

      decide: (apply, advance, targets) =>
        guarded(async () => {
          const { dataset, cursor, total } = get()
          if (!dataset) return
          const ids = targets ?? get().targetIds()
          if (ids.length === 0) return
          set((s) => ({ deciding: s.deciding + 1 }))
          let result: UndoResult | null
          try {
            result = await apply(dataset.id, ids)
          } finally {
            set((s) => ({ deciding: s.deciding - 1 }))
          }
          if (!result) return
          set({ canUndo: result.canUndo, canRedo: result.canRedo })
          await get().afterDecision(result)
          if (!advance) {
            // The cursor stays: the detail panel re-reads the face's marks and note.
            set((s) => ({ reviewVersion: s.reviewVersion + 1 }))
            return
          }
          // When the decided sample left the filtered view, the next one has already slid into its place.
          const left = get().total < total
          get().select(left ? Math.min(cursor, get().total - 1) : cursor + 1)
        }),

      labelSelection: (label) =>
        get().decide((datasetId, sampleIds) => client.call('setLabel', { datasetId, sampleIds, label }), true),

      undo: () => get().undoOrRedo('undo'),
      redo: () => get().undoOrRedo('redo'),

      undoOrRedo: (which) =>
        guarded(async () => {
          const { dataset } = get()
          if (!dataset) return
          const result = await client.call(which, { datasetId: dataset.id })
          set({ canUndo: result.canUndo, canRedo: result.canRedo })
          if (!result.step) return set({ notice: { kind: 'info', text: `Nothing to ${which}` } })
          await get().afterDecision(result)
          // Marks and notes are undone too: the detail panel re-reads them.
          set((s) => ({ reviewVersion: s.reviewVersion + 1 }))
          await get().showStep(which === 'undo' ? 'Undid' : 'Redid', result.step)
        }),

      reload: () =>
        guarded(async () => {
          await get().refreshGrid({})
          await get().loadMetrics()
        }),
      setOverlay: (overlay) => set({ overlay }),
      setView: (view) => {
        set({ view })
        if (view === 'metrics') void get().loadMetrics()
      },
      setCompare: (patch) => set((s) => ({ compare: { ...s.compare, ...patch } })),
      notify: (notice) => set({ notice })
    }
  })

export type ReviewStore = ReturnType<typeof createReviewStore>
