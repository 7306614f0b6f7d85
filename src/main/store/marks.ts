import type { ReviewFlag, UndoResult } from '@shared/types'
import type { Db } from './db'
import { recordAction } from './reviewLog'

/**
 * Marks (keep, not-a-face, ambiguous, exclude) and notes: decisions of the review log like labels
 * (./reviewLog.ts), so each is an undoable action that undo names.
 */

/** Sets or clears one mark on many samples as one undoable action. */
export function setMarks(db: Db, datasetId: number, sampleIds: number[], mark: ReviewFlag, on: boolean): UndoResult {
  return recordAction(
    db,
    datasetId,
    'mark',
    [...new Set(sampleIds)].map((sampleId) => ({ sampleId, kind: 'mark', mark, on })),
    () => ({ kind: 'mark', mark, on })
  )
}

/** Saves a sample's note; saves of one edit are one undo step. A blank note removes it. */
export function editNote(db: Db, datasetId: number, sampleId: number, note: string): UndoResult {
  return recordAction(db, datasetId, 'note', [{ sampleId, kind: 'note', note }], () => ({ kind: 'note' }))
}
