import type { Label } from '@shared/emotions'
import type { LabelEvent, LabelSource, UndoResult } from '@shared/types'
import { nowIso, type Db } from './db'

/**
 * Labels change only through events: every change is a row in label_events (sample, old, new,
 * source, time), grouped into batches (one user action). Undo, redo, history and the export's
 * change log all read the same table, and each call is one transaction, so a crash after a
 * keypress loses nothing and a half-applied action cannot exist.
 */

function applyChange(
  db: Db,
  batchId: number,
  changes: { sampleId: number; newLabel: Label | null }[],
  source: LabelSource
): number[] {
  const read = db.prepare('SELECT current_label FROM samples WHERE id = ?').pluck()
  const write = db.prepare('UPDATE samples SET current_label = ? WHERE id = ?')
  const log = db.prepare(
    `INSERT INTO label_events (sample_id, batch_id, old_label, new_label, source, created_at)
     VALUES (?, ?, ?, ?, ?, ?)`
  )
  const now = nowIso()
  const moved: number[] = []
  for (const { sampleId, newLabel } of changes) {
    const old = read.get(sampleId) as Label | null | undefined
    if (old === undefined || old === newLabel) continue
    write.run(newLabel, sampleId)
    log.run(sampleId, batchId, old, newLabel, source, now)
    moved.push(sampleId)
  }
  return moved
}

function undoState(db: Db, datasetId: number): Pick<UndoResult, 'canUndo' | 'canRedo'> {
  const count = db.prepare(`SELECT count(*) FROM label_batches WHERE dataset_id = ? AND state = ?`).pluck()
  return {
    canUndo: (count.get(datasetId, 'done') as number) > 0,
    canRedo: (count.get(datasetId, 'undone') as number) > 0
  }
}

export function getUndoState(db: Db, datasetId: number): Pick<UndoResult, 'canUndo' | 'canRedo'> {
  return undoState(db, datasetId)
}

/** Sets one label on many samples as one undoable action. Samples of other datasets are refused. */
export function setLabels(db: Db, datasetId: number, sampleIds: number[], label: Label | null): UndoResult {
  return setLabelsEach(
    db,
    datasetId,
    sampleIds.map((sampleId) => ({ sampleId, label }))
  )
}

/**
 * Sets each sample its own label, all as one undoable action (accepting the review's suggestions
 * on a multi-selection). Samples of other datasets are refused; the first label given for a
 * sample wins.
 */
export function setLabelsEach(db: Db, datasetId: number, changes: { sampleId: number; label: Label | null }[]): UndoResult {
  return db.transaction(() => {
    const owned = db.prepare('SELECT 1 FROM samples WHERE id = ? AND dataset_id = ?').pluck()
    const wanted = new Map<number, Label | null>()
    for (const c of changes) if (!wanted.has(c.sampleId)) wanted.set(c.sampleId, c.label)
    const ids = [...wanted.keys()].filter((id) => owned.get(id, datasetId) !== undefined)
    if (ids.length !== wanted.size) {
      throw new Error(`Some samples do not belong to dataset ${datasetId}`)
    }
    const batchId = Number(
      db.prepare(`INSERT INTO label_batches (dataset_id, created_at, state) VALUES (?, ?, 'done')`).run(datasetId, nowIso())
        .lastInsertRowid
    )
    const moved = applyChange(
      db,
      batchId,
      ids.map((sampleId) => ({ sampleId, newLabel: wanted.get(sampleId) as Label | null })),
      'user'
    )
    if (moved.length === 0) {
      // Nothing changed (the label was already set): no undo step for a no-op.
      db.prepare('DELETE FROM label_batches WHERE id = ?').run(batchId)
    } else {
      // A new action forks history: what was undone can no longer be redone.
      db.prepare(`UPDATE label_batches SET state = 'discarded' WHERE dataset_id = ? AND state = 'undone'`).run(datasetId)
    }
    return { sampleIds: moved, ...undoState(db, datasetId) }
  })()
}

function batchEvents(db: Db, batchId: number): { sampleId: number; oldLabel: Label | null; newLabel: Label | null }[] {
  return db
    .prepare(
      `SELECT sample_id AS sampleId, old_label AS oldLabel, new_label AS newLabel
       FROM label_events WHERE batch_id = ? AND source IN ('user', 'import') ORDER BY id`
    )
    .all(batchId) as { sampleId: number; oldLabel: Label | null; newLabel: Label | null }[]
}

/**
 * Undo takes the newest 'done' batch back to its old labels; redo takes the most recently undone
 * one — the oldest 'undone' batch, since undone batches always form the tail of the history —
 * forward to its new labels. One action either way, in one transaction.
 */
function replay(db: Db, datasetId: number, direction: 'undo' | 'redo'): UndoResult {
  return db.transaction(() => {
    const [from, to, order] = direction === 'undo' ? ['done', 'undone', 'DESC'] : ['undone', 'done', 'ASC']
    const batchId = db
      .prepare(`SELECT id FROM label_batches WHERE dataset_id = ? AND state = ? ORDER BY id ${order} LIMIT 1`)
      .pluck()
      .get(datasetId, from) as number | undefined
    if (batchId === undefined) return { sampleIds: [], ...undoState(db, datasetId) }
    const events = batchEvents(db, batchId)
    // Undo walks the action backwards so a sample changed twice in it ends at its first old label.
    const changes =
      direction === 'undo'
        ? events.reverse().map((e) => ({ sampleId: e.sampleId, newLabel: e.oldLabel }))
        : events.map((e) => ({ sampleId: e.sampleId, newLabel: e.newLabel }))
    const moved = applyChange(db, batchId, changes, direction)
    db.prepare('UPDATE label_batches SET state = ? WHERE id = ?').run(to, batchId)
    return { sampleIds: moved, ...undoState(db, datasetId) }
  })()
}

export function undo(db: Db, datasetId: number): UndoResult {
  return replay(db, datasetId, 'undo')
}

export function redo(db: Db, datasetId: number): UndoResult {
  return replay(db, datasetId, 'redo')
}

export function labelHistory(db: Db, sampleId: number): LabelEvent[] {
  return db
    .prepare(
      `SELECT id, sample_id AS sampleId, old_label AS oldLabel, new_label AS newLabel, source, created_at AS at
       FROM label_events WHERE sample_id = ? ORDER BY id`
    )
    .all(sampleId) as LabelEvent[]
}
