import type { Label } from '@shared/emotions'
import type { ReviewFlag } from '@shared/types'
import type { Db } from './db'
import { REVIEW_FLAGS, REVIEWED_SQL, SUGGESTED_SQL } from './review'

/**
 * Every review decision on a dataset's samples, read in one pass for the exports: marks, note,
 * the ranking's score and suggestion, whether the sample counts as reviewed and since when. The
 * decisions are written through the review log (./reviewLog.ts); this is its read side.
 */
export interface SampleDecisions {
  marks: ReviewFlag[]
  note: string | null
  score: number | null
  suggestedLabel: Label | null
  reviewed: boolean
  /** The latest decision that makes the sample reviewed (a label change not undone, or a mark). */
  reviewedAt: string | null
}

export type DatasetDecisions = Map<number, SampleDecisions>

const NONE: SampleDecisions = {
  marks: [],
  note: null,
  score: null,
  suggestedLabel: null,
  reviewed: false,
  reviewedAt: null
}

/**
 * SQL: when the sample `s` was last decided on — a label change of the researcher's not undone,
 * or a mark it still carries.
 */
const REVIEWED_AT_SQL = `(SELECT max(at) FROM (
    SELECT e.created_at AS at FROM review_events e JOIN review_actions a ON a.id = e.action_id
     WHERE e.sample_id = s.id AND e.kind = 'label' AND e.source = 'user' AND a.state = 'done'
    UNION ALL SELECT f.created_at FROM flags f WHERE f.sample_id = s.id))`

export function datasetDecisions(db: Db, datasetId: number): DatasetDecisions {
  const rows = db
    .prepare(
      `SELECT s.id, (SELECT group_concat(f.flag) FROM flags f WHERE f.sample_id = s.id) AS marks, n.note,
              r.score, ${SUGGESTED_SQL} AS suggestedLabel, ${REVIEWED_SQL} AS reviewed, ${REVIEWED_AT_SQL} AS reviewedAt
         FROM samples s
         LEFT JOIN review_scores r ON r.sample_id = s.id
         LEFT JOIN sample_notes n ON n.sample_id = s.id
        WHERE s.dataset_id = ?`
    )
    .all(datasetId) as {
    id: number
    marks: string | null
    note: string | null
    score: number | null
    suggestedLabel: Label | null
    reviewed: number
    reviewedAt: string | null
  }[]
  const out: DatasetDecisions = new Map()
  for (const r of rows) {
    const marks = r.marks ? r.marks.split(',') : []
    out.set(r.id, {
      // In the one order every view lists marks in.
      marks: REVIEW_FLAGS.filter((f) => marks.includes(f)),
      note: r.note,
      score: r.score,
      suggestedLabel: r.suggestedLabel,
      reviewed: r.reviewed === 1,
      reviewedAt: r.reviewed === 1 ? r.reviewedAt : null
    })
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
      `SELECT s.current_label AS currentLabel, group_concat(f.flag) AS marks
         FROM samples s JOIN flags f ON f.sample_id = s.id
        WHERE s.dataset_id = ? AND s.status = 'present'
        GROUP BY s.id`
    )
    .all(datasetId) as { currentLabel: Label | null; marks: string }[]
  return rows.map((r) => ({ currentLabel: r.currentLabel, marks: REVIEW_FLAGS.filter((f) => r.marks.split(',').includes(f)) }))
}
