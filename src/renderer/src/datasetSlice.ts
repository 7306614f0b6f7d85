import type { StoreApi } from 'zustand'
import type { AppInfo, PokerFaceClient } from '@shared/api'
import { isDuplicateSearch, type DatasetSummary, type ScanProblem, type ScanProgress, type ScanReport } from '@shared/types'
import type { ReviewState } from './store'
import type { ViewPlace } from './viewPlace'
import { DEFAULT_VIEW, type DatasetView } from './viewUrl'

/** Which dataset is open: opening a folder, switching, closing, and the start screen's list. */
export interface DatasetSlice {
  appInfo: AppInfo | null
  recent: DatasetSummary[]
  dataset: DatasetSummary | null
  lastScan: ScanReport | null
  problems: ScanProblem[]
  scan: ScanProgress | null
  init(): Promise<void>
  openFolder(root: string): Promise<void>
  /** Shows a dataset with the view given, else the one it was left with in this browser, else the default. */
  showDataset(datasetId: number, view?: DatasetView): Promise<void>
  /** Back to the start screen (the desktop menu's Close Dataset), with the recent list re-read. */
  closeDataset(): Promise<void>
}

export function createDatasetSlice(
  set: StoreApi<ReviewState>['setState'],
  get: StoreApi<ReviewState>['getState'],
  client: PokerFaceClient,
  place: ViewPlace | null,
  guarded: (run: () => Promise<void>) => Promise<void>,
  message: (err: unknown) => string
): DatasetSlice {
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
      await get().refreshGrid({})
    } catch (err) {
      if (wanted === DEFAULT_VIEW) throw err
      notes.push(`The saved view of ${dataset.name} could not be shown (${message(err)}); showing all its images.`)
      apply(DEFAULT_VIEW)
      await get().refreshGrid({})
    }
    // Once the rows are counted, so the grid is tall enough to scroll that far.
    set({ restoredScroll: get().scrollTop })
    if (notes.length > 0) set({ notice: { kind: 'error', text: notes.join(' ') } })
    const undoState = await client.call('getUndoState', { datasetId })
    set({ canUndo: undoState.canUndo, canRedo: undoState.canRedo })
    await get().loadMetrics()
  }

  return {
    appInfo: null,
    recent: [],
    dataset: null,
    lastScan: null,
    problems: [],
    scan: null,

    init: () =>
      guarded(async () => {
        client.on('scanProgress', (p) => set({ scan: p.phase === 'done' ? null : p }))
        client.on('duplicatesSearched', (end) => {
          if (get().dataset?.id !== end.datasetId) return
          if (end.outcome === 'failed') {
            const text = `Looking for duplicates failed (${end.message}); opening the folder again tries again.`
            set({ notice: { kind: 'error', text } })
          }
          // The groups are new: the duplicate badges and the Duplicates queue are read again.
          if (end.grouped) void get().reload()
        })
        client.on('labelIssuesRanked', (summary) => get().onRanked(summary))
        client.on('labelsChanged', (event) => get().onLabelsChanged(event))
        client.on('eventsMissed', ({ reason }) => {
          if (!get().dataset) return
          set({ notice: { kind: 'info', text: `Reconnected (${reason}): the view was read again.` } })
          void get().reload()
        })
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
                      `Opened ${dataset.sampleCount.toLocaleString()} images: ` +
                      (report.reusedScanOf
                        ? 'nothing changed on disk since the last scan'
                        : `${report.added.toLocaleString()} new, ${report.changed.toLocaleString()} changed, ` +
                          `${report.removed.toLocaleString()} removed`) +
                      (errors ? `, ${errors.toLocaleString()} files could not be used` : '')
                  }
          })
        } finally {
          // The duplicate search goes on behind the open (its bar stays, with Cancel, until it ends).
          set((s) => ({ scan: isDuplicateSearch(s.scan) ? s.scan : null }))
        }
      }),

    showDataset: (datasetId, view) => guarded(() => show(datasetId, view)),

    closeDataset: () =>
      guarded(async () => {
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
      })
  }
}
