import type { Label } from '@shared/emotions'
import type { LabelSource, ReviewFlag, UndoResult } from '@shared/types'
import { describeAction, type ActionWords } from '../review/decisionWords'
import { nowIso, type Db } from './db'

/**
 * The review's one event log. Every decision a researcher makes — a label, a mark (keep,
 * not-a-face, ambiguous, exclude), a note, an accepted suggestion — is a row of review_events
 * (sample, what, old value, new value, source, time) inside a review_actions row: one key press,
 * one bulk action or one note edit. Undo and redo work on actions, so there is one history for
 * every kind of decision, and each step names what it did. samples.current_label, flags and
 * sample_notes hold what the log adds up to; they change here and nowhere else.
 */

export type Decision =
  | { sampleId: number; kind: 'label'; label: Label | null }
  | { sampleId: number; kind: 'mark'; mark: ReviewFlag; on: boolean }
  | { sampleId: number; kind: 'note'; note: string }

export type ActionKind = 'label' | 'accept' | 'mark' | 'note'

/**
 * One stored value: a sample's label, one of its marks (the mark's name while set, null while
 * not) or its note (null for none).
 */
interface Field {
  sampleId: number
  kind: Decision['kind']
  /** Which mark, for kind 'mark'. */
  mark?: ReviewFlag
  value: string | null
}

function fieldOf(d: Decision): Field {
  if (d.kind === 'label') return { sampleId: d.sampleId, kind: 'label', value: d.label }
  if (d.kind === 'mark') return { sampleId: d.sampleId, kind: 'mark', mark: d.mark, value: d.on ? d.mark : null }
  // A blank note is no note, so "has a note" stays a plain EXISTS on sample_notes.
  return { sampleId: d.sampleId, kind: 'note', value: d.note.trim() === '' ? null : d.note }
}

/** Reads and writes each kind of field, and logs each change; statements prepared once per action. */
function fieldStore(db: Db) {
  const readLabel = db.prepare('SELECT current_label FROM samples WHERE id = ?').pluck()
  const readMark = db.prepare('SELECT flag FROM flags WHERE sample_id = ? AND flag = ?').pluck()
  const readNote = db.prepare('SELECT note FROM sample_notes WHERE sample_id = ?').pluck()
  const writeLabel = db.prepare('UPDATE samples SET current_label = ? WHERE id = ?')
  const setMark = db.prepare('INSERT OR IGNORE INTO flags (sample_id, flag, created_at) VALUES (?, ?, ?)')
  const clearMark = db.prepare('DELETE FROM flags WHERE sample_id = ? AND flag = ?')
  const setNote = db.prepare(
    `INSERT INTO sample_notes (sample_id, note, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (sample_id) DO UPDATE SET note = excluded.note, updated_at = excluded.updated_at`
  )
  const clearNote = db.prepare('DELETE FROM sample_notes WHERE sample_id = ?')
  const log = db.prepare(
    `INSERT INTO review_events (sample_id, action_id, kind, old_value, new_value, source, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`
  )
  const now = nowIso()

  const read = (f: Field): string | null | undefined => {
    if (f.kind === 'label') return readLabel.get(f.sampleId) as string | null | undefined
    if (f.kind === 'mark') return (readMark.get(f.sampleId, f.mark) as string | undefined) ?? null
    return (readNote.get(f.sampleId) as string | undefined) ?? null
  }
  const write = (f: Field): void => {
    if (f.kind === 'label') writeLabel.run(f.value, f.sampleId)
    else if (f.kind === 'mark') {
      if (f.value === null) clearMark.run(f.sampleId, f.mark)
      else setMark.run(f.sampleId, f.mark, now)
    } else if (f.value === null) clearNote.run(f.sampleId)
    else setNote.run(f.sampleId, f.value, now)
  }
  /** Sets the field and logs the change; false when it already had that value (nothing logged). */
  const change = (actionId: number, f: Field, source: LabelSource): boolean => {
    const old = read(f)
    if (old === undefined || old === f.value) return false
    write(f)
    log.run(f.sampleId, actionId, f.kind, old, f.value, source, now)
    return true
  }
  return { change }
}

export function getUndoState(db: Db, datasetId: number): Pick<UndoResult, 'canUndo' | 'canRedo'> {
  const count = db.prepare(`SELECT count(*) FROM review_actions WHERE dataset_id = ? AND state = ?`).pluck()
  return {
    canUndo: (count.get(datasetId, 'done') as number) > 0,
    canRedo: (count.get(datasetId, 'undone') as number) > 0
  }
}

function relPath(db: Db, sampleId: number): string {
  return db.prepare('SELECT rel_path FROM samples WHERE id = ?').pluck().get(sampleId) as string
}

/**
 * A note is saved as the researcher pauses typing, several times an edit. Saves of the same
 * sample's note with no other action between them are one edit, so one undo step: they join the
 * newest action when that is a note edit of this sample not undone (then no undone actions exist,
 * as undone actions are always the newest).
 */
function noteEditToJoin(db: Db, datasetId: number, sampleId: number): number | null {
  const newest = db
    .prepare(`SELECT id, kind, state FROM review_actions WHERE dataset_id = ? ORDER BY id DESC LIMIT 1`)
    .get(datasetId) as { id: number; kind: ActionKind; state: string } | undefined
  if (!newest || newest.kind !== 'note' || newest.state !== 'done') return null
  const others = db
    .prepare(`SELECT count(*) FROM review_events WHERE action_id = ? AND sample_id != ?`)
    .pluck()
    .get(newest.id, sampleId) as number
  return others === 0 ? newest.id : null
}

/**
 * Applies decisions as one undoable action, in one transaction: a crash after a key press loses
 * nothing, and a half-applied action cannot exist. Samples of other datasets are refused. No
 * action is recorded when nothing changes (the label or mark was already so). `words` says what
 * the action did, given what it changed; it becomes the step's summary.
 */
export function recordAction(
  db: Db,
  datasetId: number,
  kind: ActionKind,
  decisions: Decision[],
  words: (changed: Decision[]) => ActionWords
): UndoResult {
  return db.transaction((): UndoResult => {
    const owned = db.prepare('SELECT 1 FROM samples WHERE id = ? AND dataset_id = ?').pluck()
    for (const id of new Set(decisions.map((d) => d.sampleId)))
      if (owned.get(id, datasetId) === undefined) throw new Error(`Some samples do not belong to dataset ${datasetId}`)
    const joined = kind === 'note' && decisions.length === 1 ? noteEditToJoin(db, datasetId, decisions[0].sampleId) : null
    const actionId =
      joined ??
      Number(
        db
          .prepare(`INSERT INTO review_actions (dataset_id, created_at, state, kind) VALUES (?, ?, 'done', ?)`)
          .run(datasetId, nowIso(), kind).lastInsertRowid
      )
    const fields = fieldStore(db)
    const changed = decisions.filter((d) => fields.change(actionId, fieldOf(d), 'user'))
    if (changed.length === 0) {
      // Nothing changed: no undo step for a no-op.
      if (joined === null) db.prepare('DELETE FROM review_actions WHERE id = ?').run(actionId)
      return { sampleIds: [], ...getUndoState(db, datasetId), step: null }
    }
    const sampleIds = [...new Set(changed.map((d) => d.sampleId))]
    const summary = describeAction(words(changed), { count: sampleIds.length, firstPath: relPath(db, sampleIds[0]) })
    db.prepare('UPDATE review_actions SET summary = ? WHERE id = ?').run(summary, actionId)
    // A new action forks history: what was undone can no longer be redone.
    db.prepare(`UPDATE review_actions SET state = 'discarded' WHERE dataset_id = ? AND state = 'undone'`).run(datasetId)
    return { sampleIds, ...getUndoState(db, datasetId), step: { summary, sampleId: sampleIds[0] } }
  })()
}

interface LoggedEvent {
  sampleId: number
  kind: Decision['kind']
  oldValue: string | null
  newValue: string | null
}

/**
 * Undo takes the newest 'done' action back to its old values; redo takes the most recently undone
 * one — the oldest 'undone' action, since undone actions always form the tail of the history —
 * forward to its new values. One action either way, in one transaction.
 */
function replay(db: Db, datasetId: number, direction: 'undo' | 'redo'): UndoResult {
  return db.transaction((): UndoResult => {
    const [from, to, order] = direction === 'undo' ? ['done', 'undone', 'DESC'] : ['undone', 'done', 'ASC']
    const action = db
      .prepare(`SELECT id, summary FROM review_actions WHERE dataset_id = ? AND state = ? ORDER BY id ${order} LIMIT 1`)
      .get(datasetId, from) as { id: number; summary: string } | undefined
    if (action === undefined) return { sampleIds: [], ...getUndoState(db, datasetId), step: null }
    const events = db
      .prepare(
        `SELECT sample_id AS sampleId, kind, old_value AS oldValue, new_value AS newValue
           FROM review_events WHERE action_id = ? AND source = 'user' ORDER BY id`
      )
      .all(action.id) as LoggedEvent[]
    // A value changed several times in one action (a note saved as it was typed) goes straight
    // back to its first old value, or forward to its last new one: one event each way.
    const byField = new Map<string, { field: Omit<Field, 'value'>; first: string | null; last: string | null }>()
    for (const e of events) {
      const mark = (e.kind === 'mark' ? (e.oldValue ?? e.newValue) : undefined) as ReviewFlag | undefined
      const key = `${e.sampleId}:${e.kind}:${mark ?? ''}`
      const seen = byField.get(key)
      if (seen) seen.last = e.newValue
      else byField.set(key, { field: { sampleId: e.sampleId, kind: e.kind, mark }, first: e.oldValue, last: e.newValue })
    }
    const changes = [...byField.values()].map((c) => ({ ...c.field, value: direction === 'undo' ? c.first : c.last }))
    // Undo walks the action backwards, redo forwards, as it was done.
    if (direction === 'undo') changes.reverse()
    const fields = fieldStore(db)
    const moved = new Set<number>()
    for (const f of changes) if (fields.change(action.id, f, direction)) moved.add(f.sampleId)
    db.prepare('UPDATE review_actions SET state = ? WHERE id = ?').run(to, action.id)
    const sampleIds = events.map((e) => e.sampleId).filter((id) => moved.has(id))
    return {
      sampleIds: [...new Set(sampleIds)],
      ...getUndoState(db, datasetId),
      step: events.length ? { summary: action.summary, sampleId: events[0].sampleId } : null
    }
  })()
}

export function undo(db: Db, datasetId: number): UndoResult {
  return replay(db, datasetId, 'undo')
}

export function redo(db: Db, datasetId: number): UndoResult {
  return replay(db, datasetId, 'redo')
}
