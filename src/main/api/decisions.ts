import { ApiError, type ApiHandlers } from '@shared/api'
import type { UndoResult } from '@shared/types'
import type { Label } from '@shared/emotions'
import { datasetRoot } from '../store/datasets'
import { acceptLabels, setLabels } from '../store/labels'
import { editNote, setMarks } from '../store/marks'
import { getNote, ownedSamples, suggestions } from '../store/review'
import { getUndoState, redo, undo } from '../store/reviewLog'
import { getSampleRow, samplePosition } from '../store/samples'
import { announceChanges } from './announceChanges'
import type { AppContext } from './context'

/**
 * The review's decisions: labels, marks, notes, accepted suggestions, and the one undo history
 * over all of them (../store/reviewLog.ts). Every handler that changes something answers what
 * the step was and whether there is more to undo or redo, and tells every window which samples
 * changed, with their new rows (./announceChanges.ts), so none of them shows a stale tile.
 * locateSample says where the grid shows a step's sample, for the cursor to go there.
 */
type DecisionHandlers = Pick<
  ApiHandlers,
  'setLabel' | 'acceptSuggestions' | 'setReviewFlag' | 'setNote' | 'getUndoState' | 'undo' | 'redo' | 'locateSample'
>

export function createDecisionHandlers(ctx: AppContext): DecisionHandlers {
  const { db } = ctx

  // Argument shapes (ids, labels, flags, note length) were checked at the edge (./edge.ts); these checks need the database.
  const checkDataset = (datasetId: number): void => {
    if (datasetRoot(db, datasetId) === null)
      throw new ApiError('not_found', `No dataset with id ${datasetId}. Open its folder again.`)
  }
  const checkSamples = (datasetId: number, sampleIds: number[]): number[] => {
    checkDataset(datasetId)
    const owned = ownedSamples(db, datasetId, sampleIds)
    if (owned.length !== new Set(sampleIds).size)
      throw new ApiError('bad_request', `Some samples do not belong to dataset ${datasetId}`)
    return owned
  }
  const told = (datasetId: number, result: UndoResult): UndoResult => announceChanges(ctx, datasetId, result)

  return {
    async setLabel({ datasetId, sampleIds, label }) {
      checkSamples(datasetId, sampleIds)
      return told(datasetId, setLabels(db, datasetId, sampleIds, label))
    },

    async acceptSuggestions({ datasetId, sampleIds }) {
      const suggested = suggestions(db, checkSamples(datasetId, sampleIds))
      const changes = [...suggested].map(([sampleId, label]) => ({ sampleId, label: label as Label }))
      return told(datasetId, acceptLabels(db, datasetId, changes))
    },

    async setReviewFlag({ datasetId, sampleIds, flag, on }) {
      return told(datasetId, setMarks(db, datasetId, checkSamples(datasetId, sampleIds), flag, on))
    },

    async setNote({ sampleId, note }) {
      const row = getSampleRow(db, sampleId)
      if (!row) throw new ApiError('not_found', `No sample with id ${sampleId}`)
      const result = told(row.datasetId, editNote(db, row.datasetId, sampleId, note))
      return { ...result, sampleId, note: getNote(db, sampleId) }
    },

    async getUndoState({ datasetId }) {
      checkDataset(datasetId)
      return getUndoState(db, datasetId)
    },

    async undo({ datasetId }) {
      checkDataset(datasetId)
      return told(datasetId, undo(db, datasetId))
    },

    async redo({ datasetId }) {
      checkDataset(datasetId)
      return told(datasetId, redo(db, datasetId))
    },

    async locateSample({ datasetId, filter, sort, sampleId }) {
      checkDataset(datasetId)
      return { position: samplePosition(db, datasetId, filter, sort ?? { by: 'path' }, sampleId) }
    }
  }
}
