import { create } from 'zustand'
import { ApiError, type AppInfo, type PokerFaceClient } from '@shared/api'
import type { Label } from '@shared/emotions'
import type { CompareMode } from '@shared/shortcuts'
import type { DatasetSummary, Sample, SampleFilter, SampleSort, ScanProblem, ScanProgress, ScanReport } from '@shared/types'
import { createReviewSlice, type ReviewSlice } from './reviewSlice'
import { createSubsetSlice, type SubsetSlice } from './subsetSlice'
import { browserViewPlace, type ViewPlace } from './viewPlace'
import { DEFAULT_VIEW, type DatasetView } from './viewUrl'

/** Rows fetched per request while scrolling; the grid asks only for the pages it shows. */
export const PAGE_SIZE = 300

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

export interface ReviewState extends ReviewSlice, SubsetSlice {
  client: PokerFaceClient
  appInfo: AppInfo | null
  recent: DatasetSummary[]
  dataset: DatasetSummary | null
  lastScan: ScanReport | null
  problems: ScanProblem[]
  scan: ScanProgress | null
  filter: SampleFilter
  sort: SampleSort
  total: number
  /** Loaded pages of the current filter, by page index. Replaced (not mutated) on change. */
  pages: Map<number, Sample[]>
  /** Bumped whenever what the grid shows must be fetched again. */
  generation: number
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

  init(): Promise<void>
  openFolder(root: string): Promise<void>
  /** Shows a dataset with the view given, else the one it was left with in this browser, else the default. */
  showDataset(datasetId: number, view?: DatasetView): Promise<void>
  /** Back to the start screen (the desktop menu's Close Dataset), with the recent list re-read. */
  closeDataset(): Promise<void>
  /** What the grid shows now: filter, order, selection, cursor, scroll. */
  viewNow(): DatasetView
  /** Shows a view of the open dataset (and a centre tab), fetched again, scrolled where it was. */
  showView(view: DatasetView, tab: ReviewState['view']): Promise<void>
  setFilter(patch: Partial<SampleFilter>): void
  clearFilter(): void
  setSort(sort: SampleSort): void
  ensurePages(first: number, last: number): void
  sampleAt(index: number): Sample | undefined
  select(index: number, mode?: 'replace' | 'toggle' | 'range'): void
  move(delta: number): void
  setColumns(columns: number): void
  setScrollTop(top: number): void
  /** The grid took the restored scroll offset. */
  scrolledToRestored(): void
  /** The samples a key acts on: the selection, else the one under the cursor. */
  targetIds(): number[]
  /**
   * Runs one review decision on the target samples, then re-reads the grid and metrics and, when
   * `advance` (and `apply` did not answer false: nothing changed), moves to the next sample, which
   * has slid into place if the decided one left the view.
   */
  decide(
    apply: (datasetId: number, ids: number[]) => Promise<boolean | void>,
    advance: boolean,
    /** The samples the decision is for, when taken before an await (a filter change clears the selection). */
    targets?: number[]
  ): Promise<void>
  labelSelection(label: Label | null): Promise<void>
  undo(): Promise<void>
  redo(): Promise<void>
  /** Re-reads the dataset and the visible pages (after a model run, for instance). */
  reload(): Promise<void>
  setOverlay(overlay: ReviewState['overlay']): void
  setView(view: ReviewState['view']): void
  setCompare(patch: Partial<CompareSettings>): void
  notify(notice: Notice | null): void
}

const pending = new Set<string>()

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

    /**
     * Re-reads the count (and, unless only the order or filter changed, the dataset summary) and
     * drops cached pages; the grid refetches what it shows.
     */
    const refresh = async (options: { summary?: boolean } = {}): Promise<void> => {
      const { dataset, filter, sort } = get()
      if (!dataset) return
      const [summary, first] = await Promise.all([
        options.summary === false ? dataset : client.call('getDataset', { datasetId: dataset.id }),
        client.call('querySamples', { datasetId: dataset.id, filter, sort, offset: 0, limit: PAGE_SIZE })
      ])
      pending.clear()
      set((s) => ({
        dataset: summary,
        total: first.total,
        pages: new Map([[0, first.samples]]),
        generation: s.generation + 1,
        cursor: Math.min(s.cursor, Math.max(0, first.total - 1))
      }))
    }

    /**
     * Shows a dataset with `view`, else its last view in this browser, else the default. A view
     * the dataset cannot show (a label filter the API refuses) gives way to the default, with a
     * notice: the dataset still opens. `notes` are said along with any such notice.
     */
    const show = async (datasetId: number, view?: DatasetView, notes: string[] = []): Promise<void> => {
      const [dataset, problems, recent] = await Promise.all([
        client.call('getDataset', { datasetId }),
        client.call('listProblems', { datasetId }),
        client.call('listDatasets', {})
      ])
      const wanted = view ?? place?.recall(datasetId) ?? DEFAULT_VIEW
      const apply = (v: DatasetView): void =>
        set({
          dataset,
          problems,
          recent,
          filter: v.filter,
          sort: v.sort,
          view: 'grid',
          cursor: v.cursor,
          selected: new Set(v.selected),
          scrollTop: v.scrollTop,
          canUndo: false,
          canRedo: false,
          metrics: null,
          subset: null
        })
      apply(wanted)
      try {
        await refresh({})
      } catch (err) {
        if (wanted === DEFAULT_VIEW) throw err
        notes.push(`The saved view of ${dataset.name} could not be shown (${message(err)}); showing all its images.`)
        apply(DEFAULT_VIEW)
        await refresh({})
      }
      // Once the rows are counted, so the grid is tall enough to scroll that far.
      set({ restoredScroll: get().scrollTop })
      if (notes.length > 0) set({ notice: { kind: 'error', text: notes.join(' ') } })
      const undoState = await client.call('getUndoState', { datasetId })
      set({ canUndo: undoState.canUndo, canRedo: undoState.canRedo })
      await get().loadMetrics()
    }

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
      void guarded(() => refresh({ summary: false }))
    }

    return {
      ...createReviewSlice(set, get, api, client),
      ...createSubsetSlice(set, get, client),
      client,
      appInfo: null,
      recent: [],
      dataset: null,
      lastScan: null,
      problems: [],
      scan: null,
      filter: {},
      sort: { by: 'path' },
      total: 0,
      pages: new Map(),
      generation: 0,
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

      init: () =>
        guarded(async () => {
          client.on('scanProgress', (p) => set({ scan: p.phase === 'done' ? null : p }))
          client.on('labelIssuesRanked', (summary) => get().onRanked(summary))
          const [appInfo, recent] = await Promise.all([client.call('getAppInfo', {}), client.call('listDatasets', {})])
          set({ appInfo, recent })
          const opened = place?.opened() ?? null
          const notes = opened?.ignored.length ? [`Left out of the address: ${opened.ignored.join('; ')}.`] : []
          if (opened?.datasetId != null) {
            try {
              // The address wins over the startup folder: a reload or a shared link shows what it names.
              return await show(opened.datasetId, opened.view, notes)
            } catch (err) {
              notes.unshift(`The address names dataset ${opened.datasetId}, which could not be shown: ${message(err)}.`)
            }
          }
          // A reload of the start screen (a dataset was closed) stays there; a first visit opens the startup folder.
          if (appInfo.startupDatasetId !== null && !opened?.reloaded) await show(appInfo.startupDatasetId, undefined, notes)
          else if (notes.length > 0) set({ notice: { kind: 'error', text: notes.join(' ') } })
        }),

      openFolder: (root) =>
        guarded(async () => {
          set({ scan: { root, phase: 'listing', done: 0, total: 0 }, notice: null })
          try {
            const { dataset, report } = await client.call('openDataset', { root })
            set({ lastScan: report })
            await get().showDataset(dataset.id)
            const errors = report.problems.filter((p) => p.kind === 'error').length
            set({
              notice:
                dataset.sampleCount === 0
                  ? { kind: 'error', text: `No images found in ${dataset.root}.` }
                  : {
                      kind: 'info',
                      text:
                        `Opened ${dataset.sampleCount.toLocaleString()} images: ${report.added.toLocaleString()} new, ` +
                        `${report.changed.toLocaleString()} changed, ${report.removed.toLocaleString()} removed` +
                        (errors ? `, ${errors.toLocaleString()} files could not be used` : '')
                    }
            })
          } finally {
            set({ scan: null })
          }
        }),

      showDataset: (datasetId, view) => guarded(() => show(datasetId, view)),

      closeDataset: () =>
        guarded(async () => {
          pending.clear()
          set((s) => ({
            dataset: null,
            problems: [],
            lastScan: null,
            filter: {},
            total: 0,
            pages: new Map(),
            // Page requests still in flight belong to the closed dataset: a new generation drops them.
            generation: s.generation + 1,
            cursor: 0,
            selected: new Set(),
            scrollTop: 0,
            restoredScroll: null,
            canUndo: false,
            canRedo: false,
            overlay: null,
            view: 'grid',
            metrics: null,
            subset: null
          }))
          set({ recent: await client.call('listDatasets', {}) })
        }),

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
          await refresh({ summary: false })
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
              if (get().generation !== generation) return // a newer filter or relabel superseded this
              const next = new Map(get().pages)
              next.set(page, result.samples)
              set({ pages: next })
            })
            .catch((err) => set({ notice: { kind: 'error', text: message(err) } }))
            .finally(() => pending.delete(key))
        }
      },

      sampleAt: (index) => get().pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE],

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
          const changed = await apply(dataset.id, ids)
          await refresh({})
          set((s) => ({ reviewVersion: s.reviewVersion + 1 }))
          void get().loadMetrics()
          if (!advance || changed === false) return
          // When the decided sample left the filtered view, the next one has already slid into its place.
          const left = get().total < total
          get().select(left ? Math.min(cursor, get().total - 1) : cursor + 1)
        }),

      labelSelection: (label) =>
        get().decide(async (datasetId, ids) => {
          const result = await client.call('setLabel', { datasetId, sampleIds: ids, label })
          set({ canUndo: result.canUndo, canRedo: result.canRedo })
        }, true),

      undo: () =>
        guarded(async () => {
          const { dataset } = get()
          if (!dataset) return
          const result = await client.call('undo', { datasetId: dataset.id })
          set({ canUndo: result.canUndo, canRedo: result.canRedo })
          if (result.step) {
            await refresh({})
            // Marks and notes are undone too: the detail panel re-reads them.
            set((s) => ({ reviewVersion: s.reviewVersion + 1 }))
            void get().loadMetrics()
            await get().showStep('Undid', result.step)
          } else set({ notice: { kind: 'info', text: 'Nothing to undo' } })
        }),

      redo: () =>
        guarded(async () => {
          const { dataset } = get()
          if (!dataset) return
          const result = await client.call('redo', { datasetId: dataset.id })
          set({ canUndo: result.canUndo, canRedo: result.canRedo })
          if (result.step) {
            await refresh({})
            // Marks and notes are undone too: the detail panel re-reads them.
            set((s) => ({ reviewVersion: s.reviewVersion + 1 }))
            void get().loadMetrics()
            await get().showStep('Redid', result.step)
          } else set({ notice: { kind: 'info', text: 'Nothing to redo' } })
        }),

      reload: () =>
        guarded(async () => {
          await refresh({})
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
