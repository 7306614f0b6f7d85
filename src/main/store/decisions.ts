import type { Label } from '@shared/emotions'
import { REVIEW_FLAGS, type ReviewFlag } from '@shared/types'
import type { Db } from './db'

/**
 * Every review decision on a dataset's samples, read for the exports: marks, note, whether the
 * sample counts as reviewed and since when. The decisions are written through the review log
 * (./reviewLog.ts); this is its read side. (The ranking's score and suggestion are columns of the
 * export's rows: every ranked sample has them, so they are read with the rows.)
 */
export interface SampleDecisions {
  marks: ReviewFlag[]
  note: string | null
  reviewed: boolean
  /** The latest decision that makes the sample reviewed (a label change not undone, or a mark). */
  reviewedAt: string | null
}

/** The samples with any decision; a sample not in it has none (decisionsOf). */
export type DatasetDecisions = Map<number, SampleDecisions>

const NONE: SampleDecisions = { marks: [], note: null, reviewed: false, reviewedAt: null }

/**
 * Read from the decision tables alone (flags, notes, the review log), a few thousand rows where a
 * dataset has a million samples, instead of asking each sample for its decisions: at 1M samples the
 * per-sample subqueries took 7 s of an export (issue 19, `npm run bench:scale`). Reviewed is what
 * REVIEWED_SQL says: a label change of the researcher's not undone, or a review mark; since when is
 * the latest of those and of any flag.
 */
export function datasetDecisions(db: Db, datasetId: number): DatasetDecisions {
  const out: DatasetDecisions = new Map()
  const of = (sampleId: number): SampleDecisions => {
    let d = out.get(sampleId)
    if (!d) out.set(sampleId, (d = { marks: [], note: null, reviewed: false, reviewedAt: null }))
    return d
  }
  const later = (d: SampleDecisions, at: string | null): void => {
    if (at !== null && (d.reviewedAt === null || at > d.reviewedAt)) d.reviewedAt = at
  }
  const flags = db
    .prepare(
      `SELECT f.sample_id AS sampleId, f.flag, f.created_at AS at FROM flags f JOIN samples s ON s.id = f.sample_id
        WHERE s.dataset_id = ?`
    )
    .all(datasetId) as { sampleId: number; flag: string; at: string | null }[]
  for (const f of flags) {
    const d = of(f.sampleId)
    if (REVIEW_FLAGS.includes(f.flag as ReviewFlag)) {
      d.marks.push(f.flag as ReviewFlag)
      d.reviewed = true
    }
    later(d, f.at)
  }
  const labelled = db
    .prepare(
      `SELECT e.sample_id AS sampleId, max(e.created_at) AS at
         FROM review_events e JOIN review_actions a ON a.id = e.action_id JOIN samples s ON s.id = e.sample_id
        WHERE s.dataset_id = ? AND e.kind = 'label' AND e.source = 'user' AND a.state = 'done'
        GROUP BY e.sample_id`
    )
    .all(datasetId) as { sampleId: number; at: string | null }[]
  for (const e of labelled) {
    const d = of(e.sampleId)
    d.reviewed = true
    later(d, e.at)
  }
  const notes = db
    .prepare(
      'SELECT n.sample_id AS sampleId, n.note FROM sample_notes n JOIN samples s ON s.id = n.sample_id WHERE s.dataset_id = ?'
    )
    .all(datasetId) as { sampleId: number; note: string | null }[]
  for (const n of notes) of(n.sampleId).note = n.note
  for (const d of out.values()) {
    // In the one order every view lists marks in.
    d.marks = REVIEW_FLAGS.filter((f) => d.marks.includes(f))
    if (!d.reviewed) d.reviewedAt = null
  }
  return out
}

/** A sample's decisions; a sample with none has no marks, no note and is not reviewed. */
export function decisionsOf(decisions: DatasetDecisions, sampleId: number): SampleDecisions {
  return decisions.get(sampleId) ?? NONE
}

/** The present samples carrying any mark, with their current label: what the Metrics tab's "cleaned" bars count from. */
export function markedSamples(db: Db, datasetId: number): { currentLabel: Label | null; marks: ReviewFlag[] }[] {
  const rows = db
    .prepare(
      // From the marks (thousands) to their samples, not from the dataset's samples (1M) to theirs.
      `SELECT s.current_label AS currentLabel, group_concat(f.flag) AS marks
         FROM flags f CROSS JOIN samples s ON s.id = f.sample_id
        WHERE s.dataset_id = ? AND s.status = 'present'
        GROUP BY s.id`
    )
    .all(datasetId) as { currentLabel: Label | null; marks: string }[]
  return rows.map((r) => ({ currentLabel: r.currentLabel, marks: REVIEW_FLAGS.filter((f) => r.marks.split(',').includes(f)) }))
}
