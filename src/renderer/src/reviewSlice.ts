import type { StoreApi } from 'zustand'
import type { PokerFaceClient } from '@shared/api'
import type { Label } from '@shared/emotions'
import type { RankingSummary, ReviewFlag, ReviewMetrics, ReviewStep } from '@shared/types'
import type { ReviewState } from './store'

/** The label-issue review: ranking, metrics, suggestions, flags and notes. */
export interface ReviewSlice {
  metrics: ReviewMetrics | null
  /** Bumped when a sample's review (flags, note, reviewed) may have changed, so views re-read it. */
  reviewVersion: number
  /** Bumped by the note key: the note field takes the focus. */
  noteFocus: number
  focusNote(): void
  loadMetrics(): Promise<void>
  /** Sets the suggested label on the target samples (one undo step) and advances. */
  acceptSuggestion(): Promise<void>
  /**
   * Sets a review flag on the target samples and advances, or — `on` not given and the cursor's
   * sample already has it — clears it.
   */
  toggleFlag(flag: ReviewFlag, on?: boolean): Promise<void>
  /** Keeps the cursor's face of its duplicate group and marks the other members exclude (one undo step). */
  keepDuplicate(): Promise<void>
  saveNote(sampleId: number, note: string): Promise<void>
  /**
   * After an undo or redo: says what the step was ("Undid: marked a.png not-a-face") and puts the
   * cursor on its sample, wherever the grid's view has it.
   */
  showStep(verb: 'Undid' | 'Redid', step: ReviewStep): Promise<void>
  rank(): Promise<void>
  /** Filters the grid to one confusion-matrix cell and shows it. */
  showCell(actual: Label, predicted: Label): void
  onRanked(summary: RankingSummary): void
}

const FLAG_NAMES: Record<ReviewFlag, string> = {
  keep: 'kept',
  not_a_face: 'not a face',
  ambiguous: 'ambiguous',
  exclude: 'excluded'
}

export function createReviewSlice(
  set: StoreApi<ReviewState>['setState'],
  get: StoreApi<ReviewState>['getState'],
  _api: StoreApi<ReviewState>,
  client: PokerFaceClient
): ReviewSlice {
  const fail = (err: unknown): void => set({ notice: { kind: 'error', text: (err as Error).message ?? String(err) } })
  return {
    metrics: null,
    reviewVersion: 0,
    noteFocus: 0,
    focusNote: () => set((s) => ({ noteFocus: s.noteFocus + 1 })),

    loadMetrics: async () => {
      const { dataset } = get()
      if (!dataset) return
      try {
        const metrics = await client.call('getReviewMetrics', { datasetId: dataset.id })
        if (get().dataset?.id === dataset.id) set({ metrics })
      } catch (err) {
        fail(err)
      }
    },

    acceptSuggestion: () =>
      get().decide(async (datasetId, ids) => {
        const result = await client.call('acceptSuggestions', { datasetId, sampleIds: ids })
        if (result.sampleIds.length === 0) {
          set({
            notice: {
              kind: 'info',
              text: 'Nothing to accept: no suggestion differs from the label (rank the labels after a run).'
            }
          })
          return null
        }
        if (ids.length > 1)
          set({
            notice: { kind: 'info', text: `Accepted the suggestion on ${result.sampleIds.length} of ${ids.length} selected.` }
          })
        return result
      }, true),

    toggleFlag: async (flag, on) => {
      const current = get().sampleAt(get().cursor)
      // The samples the key was pressed on: a filter changed while this runs clears the selection,
      // which once flagged only the cursor's sample of a multi-selection.
      const targets = get().targetIds()
      // The grid row carries the marks (patched after every decision), so toggling needs no lookup.
      const has = on === undefined ? !!current?.marks?.includes(flag) : !on
      await get().decide(
        async (datasetId, ids) => {
          const result = await client.call('setReviewFlag', { datasetId, sampleIds: ids, flag, on: !has })
          if (ids.length > 1)
            set({ notice: { kind: 'info', text: `${ids.length} samples ${has ? 'no longer' : 'marked'} ${FLAG_NAMES[flag]}.` } })
          return result
        },
        !has,
        targets
      )
    },

    keepDuplicate: async () => {
      const current = get().sampleAt(get().cursor)
      if (!current) return
      if (!current.duplicate) {
        set({ notice: { kind: 'info', text: `${current.relPath} has no duplicates: D keeps one face of a duplicate group.` } })
        return
      }
      await get().decide(
        async (datasetId) => {
          const result = await client.call('keepDuplicate', { datasetId, sampleId: current.id })
          set({
            notice: {
              kind: 'info',
              text: result.step
                ? `Done: ${result.step.summary}`
                : `Nothing to change: the other members of the group are already excluded.`
            }
          })
          return result.sampleIds.length > 0 ? result : null
        },
        false,
        [current.id]
      )
    },

    saveNote: async (sampleId, note) => {
      try {
        // A note edit is a step of the one undo history, so the undo button follows it.
        const result = await client.call('setNote', { sampleId, note })
        set({ canUndo: result.canUndo, canRedo: result.canRedo })
      } catch (err) {
        fail(err)
      }
    },

    showStep: async (verb, step) => {
      const { dataset, filter, sort } = get()
      if (!dataset) return
      try {
        // Asked of the database, not of the loaded pages: the step's sample may be thousands of rows away.
        const { position } = await client.call('locateSample', { datasetId: dataset.id, filter, sort, sampleId: step.sampleId })
        if (get().dataset?.id !== dataset.id) return
        if (position !== null) set({ cursor: position, selected: new Set([step.sampleId]) })
        set({
          notice: {
            kind: 'info',
            text: `${verb}: ${step.summary}${position === null ? ' (not in this view: clear the filters to see it)' : ''}`
          }
        })
      } catch (err) {
        fail(err)
      }
    },

    rank: async () => {
      const { dataset } = get()
      if (!dataset) return
      try {
        // The answer also arrives as a labelIssuesRanked event, which re-sorts the grid (onRanked).
        await client.call('rankLabelIssues', { datasetId: dataset.id })
      } catch (err) {
        fail(err)
      }
    },

    showCell: (actual, predicted) => {
      set({ view: 'grid' })
      get().setFilter({
        currentLabel: actual,
        predictedLabel: predicted,
        flaggedOnly: undefined,
        reviewed: undefined,
        flag: undefined
      })
    },

    onRanked: (summary) => {
      if (get().dataset?.id !== summary.datasetId) return
      set({
        filter: {},
        subset: null,
        view: 'grid',
        notice: {
          kind: 'info',
          text:
            `Ranked ${summary.scored.toLocaleString()} labels with ${summary.modelId}: ${summary.flagged.toLocaleString()} flagged as likely wrong. ` +
            'Sorted by most likely wrong.'
        }
      })
      get().setSort({ by: 'likelyWrong' })
      void get().loadMetrics()
    }
  }
}
