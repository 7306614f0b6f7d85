import { create } from 'zustand'
import { ApiError, type AppInfo, type PokerFaceClient } from '@shared/api'
import type { Label } from '@shared/emotions'
import type { DatasetSummary, Sample, SampleFilter, ScanProblem, ScanProgress, ScanReport } from '@shared/types'

/** Rows fetched per request while scrolling; the grid asks only for the pages it shows. */
export const PAGE_SIZE = 300

export interface Notice {
  kind: 'info' | 'error'
  text: string
}

export interface ReviewState {
  client: PokerFaceClient
  appInfo: AppInfo | null
  recent: DatasetSummary[]
  dataset: DatasetSummary | null
  lastScan: ScanReport | null
  problems: ScanProblem[]
  scan: ScanProgress | null
  filter: SampleFilter
  total: number
  /** Loaded pages of the current filter, by page index. Replaced (not mutated) on change. */
  pages: Map<number, Sample[]>
  /** Bumped whenever what the grid shows must be fetched again. */
  generation: number
  cursor: number
  selected: Set<number>
  columns: number
  canUndo: boolean
  canRedo: boolean
  notice: Notice | null
  overlay: 'help' | 'export' | 'problems' | null

  init(): Promise<void>
  openFolder(root: string): Promise<void>
  showDataset(datasetId: number): Promise<void>
  setFilter(patch: Partial<SampleFilter>): void
  clearFilter(): void
  ensurePages(first: number, last: number): void
  sampleAt(index: number): Sample | undefined
  select(index: number, mode?: 'replace' | 'toggle' | 'range'): void
  move(delta: number): void
  setColumns(columns: number): void
  labelSelection(label: Label | null): Promise<void>
  undo(): Promise<void>
  redo(): Promise<void>
  /** Re-reads the dataset and the visible pages (after a model run, for instance). */
  reload(): Promise<void>
  setOverlay(overlay: ReviewState['overlay']): void
  notify(notice: Notice | null): void
}

const pending = new Set<string>()

function message(err: unknown): string {
  return err instanceof ApiError || err instanceof Error ? err.message : String(err)
}

export const createReviewStore = (client: PokerFaceClient) =>
  create<ReviewState>((set, get) => {
    /** Re-reads the count and summary, drops cached pages; the grid refetches what it shows. */
    const refresh = async (): Promise<void> => {
      const { dataset, filter } = get()
      if (!dataset) return
      const [summary, first] = await Promise.all([
        client.call('getDataset', { datasetId: dataset.id }),
        client.call('querySamples', { datasetId: dataset.id, filter, offset: 0, limit: PAGE_SIZE })
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

    const guarded = async (run: () => Promise<void>): Promise<void> => {
      try {
        await run()
      } catch (err) {
        set({ notice: { kind: 'error', text: message(err) } })
      }
    }

    return {
      client,
      appInfo: null,
      recent: [],
      dataset: null,
      lastScan: null,
      problems: [],
      scan: null,
      filter: {},
      total: 0,
      pages: new Map(),
      generation: 0,
      cursor: 0,
      selected: new Set(),
      columns: 1,
      canUndo: false,
      canRedo: false,
      notice: null,
      overlay: null,

      init: () =>
        guarded(async () => {
          client.on('scanProgress', (p) => set({ scan: p.phase === 'done' ? null : p }))
          const [appInfo, recent] = await Promise.all([client.call('getAppInfo', {}), client.call('listDatasets', {})])
          set({ appInfo, recent })
          if (appInfo.startupDatasetId !== null) await get().showDataset(appInfo.startupDatasetId)
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
                        `Opened ${dataset.sampleCount.toLocaleString()} images: ${report.added} new, ${report.changed} changed, ` +
                        `${report.removed} removed` +
                        (errors ? `, ${errors} files could not be used` : '')
                    }
            })
          } finally {
            set({ scan: null })
          }
        }),

      showDataset: (datasetId) =>
        guarded(async () => {
          const [dataset, problems, recent] = await Promise.all([
            client.call('getDataset', { datasetId }),
            client.call('listProblems', { datasetId }),
            client.call('listDatasets', {})
          ])
          set({ dataset, problems, recent, filter: {}, cursor: 0, selected: new Set(), canUndo: false, canRedo: false })
          await refresh()
          const undoState = await client.call('getUndoState', { datasetId })
          set({ canUndo: undoState.canUndo, canRedo: undoState.canRedo })
        }),

      setFilter: (patch) => {
        const filter = { ...get().filter, ...patch }
        for (const key of Object.keys(filter) as (keyof SampleFilter)[]) {
          if (filter[key] === undefined || filter[key] === false) delete filter[key]
        }
        set({ filter, cursor: 0, selected: new Set() })
        void guarded(refresh)
      },

      clearFilter: () => {
        set({ filter: {}, cursor: 0, selected: new Set() })
        void guarded(refresh)
      },

      ensurePages: (first, last) => {
        const { dataset, filter, pages, generation } = get()
        if (!dataset) return
        for (let page = Math.max(0, first); page <= last; page++) {
          const key = `${generation}:${page}`
          if (pages.has(page) || pending.has(key)) continue
          pending.add(key)
          void client
            .call('querySamples', { datasetId: dataset.id, filter, offset: page * PAGE_SIZE, limit: PAGE_SIZE })
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

      labelSelection: (label) =>
        guarded(async () => {
          const { dataset, selected, cursor, total, sampleAt } = get()
          if (!dataset) return
          const current = sampleAt(cursor)
          const ids = selected.size > 0 ? [...selected] : current ? [current.id] : []
          if (ids.length === 0) return
          const result = await client.call('setLabel', { datasetId: dataset.id, sampleIds: ids, label })
          set({ canUndo: result.canUndo, canRedo: result.canRedo })
          await refresh()
          // Advance to the next sample. When the labelled one left the filtered view, the next
          // one has already slid into its place.
          const left = get().total < total
          get().select(left ? Math.min(cursor, get().total - 1) : cursor + 1)
        }),

      undo: () =>
        guarded(async () => {
          const { dataset } = get()
          if (!dataset) return
          const result = await client.call('undo', { datasetId: dataset.id })
          set({ canUndo: result.canUndo, canRedo: result.canRedo })
          if (result.sampleIds.length) await refresh()
          else set({ notice: { kind: 'info', text: 'Nothing to undo' } })
        }),

      redo: () =>
        guarded(async () => {
          const { dataset } = get()
          if (!dataset) return
          const result = await client.call('redo', { datasetId: dataset.id })
          set({ canUndo: result.canUndo, canRedo: result.canRedo })
          if (result.sampleIds.length) await refresh()
          else set({ notice: { kind: 'info', text: 'Nothing to redo' } })
        }),

      reload: () => guarded(refresh),
      setOverlay: (overlay) => set({ overlay }),
      notify: (notice) => set({ notice })
    }
  })

export type ReviewStore = ReturnType<typeof createReviewStore>
