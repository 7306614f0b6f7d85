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

/**
 * Keeps one member of a duplicate group and marks the others exclude, as one undoable action; the
 * kept one loses an exclude mark it had. `members`: the whole group, the kept one included.
 */
export function keepOneDuplicate(db: Db, datasetId: number, keptId: number, members: number[], keptPath: string): UndoResult {
  const others = members.filter((id) => id !== keptId)
  return recordAction(
    db,
    datasetId,
    'mark',
    [
      { sampleId: keptId, kind: 'mark', mark: 'exclude', on: false },
      ...others.map((sampleId) => ({ sampleId, kind: 'mark' as const, mark: 'exclude' as const, on: true }))
    ],
    (changed) => ({
      kind: 'keepDuplicate',
      kept: keptPath,
      excluded: changed.filter((d) => d.kind === 'mark' && d.on).length
    })
  )
}
