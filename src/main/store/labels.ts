import type { Label } from '@shared/emotions'
import type { LabelEvent, UndoResult } from '@shared/types'
import type { Db } from './db'
import { recordAction, type Decision } from './reviewLog'

/**
 * Labels change only through the review log (./reviewLog.ts): every change is an event (sample,
 * old, new, source, time) of one undoable action, so undo, history and the export's change log
 * all read the same table.
 */

/**
 * Sets one label on many samples as one undoable action. A sample that already has the label is
 * confirmed: pressing the key of the label a face has says "this label is right", as K does, so
 * it gets the keep mark and counts as reviewed. Samples of other datasets are refused.
 */
export function setLabels(db: Db, datasetId: number, sampleIds: number[], label: Label | null): UndoResult {
  const current = db.prepare('SELECT current_label FROM samples WHERE id = ?').pluck()
  const decisions = [...new Set(sampleIds)].map((sampleId): Decision => {
    // Confirming "unlabelled" with 0 says nothing about a label, so it stays a no-op.
    const confirms = label !== null && current.get(sampleId) === label
    return confirms ? { sampleId, kind: 'mark', mark: 'keep', on: true } : { sampleId, kind: 'label', label }
  })
  return recordAction(db, datasetId, 'label', decisions, (changed) => ({
    kind: 'label',
    label,
    confirmed: changed.every((d) => d.kind === 'mark')
  }))
}

/**
 * Sets each sample its own label, all as one undoable action: accepting the review's suggestions
 * on a multi-selection. Samples of other datasets are refused; the first label given for a
 * sample wins.
 */
export function acceptLabels(db: Db, datasetId: number, changes: { sampleId: number; label: Label }[]): UndoResult {
  const wanted = new Map<number, Label>()
  for (const c of changes) if (!wanted.has(c.sampleId)) wanted.set(c.sampleId, c.label)
  const decisions = [...wanted].map(([sampleId, label]): Decision => ({ sampleId, kind: 'label', label }))
  return recordAction(db, datasetId, 'accept', decisions, (changed) => {
    const labels = new Set(changed.map((d) => (d.kind === 'label' ? d.label : null)))
    return { kind: 'accept', label: labels.size === 1 ? [...labels][0] : null }
  })
}

export function labelHistory(db: Db, sampleId: number): LabelEvent[] {
  return db
    .prepare(
      `SELECT id, sample_id AS sampleId, old_value AS oldLabel, new_value AS newLabel, source, created_at AS at
       FROM review_events WHERE sample_id = ? AND kind = 'label' ORDER BY id`
    )
    .all(sampleId) as LabelEvent[]
}
