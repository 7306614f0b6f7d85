import type { Label } from '@shared/emotions'
import { REVIEW_FLAGS, type LabelIssueScores, type RankingSummary, type ReviewFlag, type SampleReviewBrief } from '@shared/types'
import type { Db } from './db'
import { emptyScoreColumns, keepScores, setScoreRow } from './scoreOrders'

/**
 * What the review workspace stores besides labels: each sample's label-issue scores from the
 * dataset's latest ranking (review_scores), the ranking's summary, review flags and notes. The
 * scores are computed by src/main/review/ranking.ts; flags and notes change only through the
 * review log (./reviewLog.ts), so every change is an undoable event. This file reads them.
 */

/**
 * SQL: the sample aliased `s` has been reviewed — a label change of the researcher's that is not
 * undone (its action is 'done'; undo marks it 'undone'), or any review flag. Confirming a label
 * with its own key sets the keep flag (see setLabels), so it counts too.
 */
export const REVIEWED_SQL = `(EXISTS (SELECT 1 FROM review_events e JOIN review_actions a ON a.id = e.action_id
    WHERE e.sample_id = s.id AND e.kind = 'label' AND e.source = 'user' AND a.state = 'done')
  OR EXISTS (SELECT 1 FROM flags f WHERE f.sample_id = s.id AND f.flag IN ('keep', 'not_a_face', 'ambiguous', 'exclude')))`

/**
 * SQL: the ids of every reviewed sample (as REVIEWED_SQL decides it), for `s.id IN (…)`. Filtering
 * the grid by "reviewed" this way reads the decisions once, instead of asking REVIEWED_SQL's two
 * subqueries once per sample: at 1M samples that is the difference between ~1 s and tens of ms
 * (issue 19, `npm run bench:scale`). REVIEWED_SQL stays the form for a page of rows.
 */
export const REVIEWED_IDS_SQL = `(SELECT e.sample_id FROM review_events e JOIN review_actions a ON a.id = e.action_id
    WHERE e.kind = 'label' AND e.source = 'user' AND a.state = 'done'
  UNION SELECT f.sample_id FROM flags f WHERE f.flag IN ('keep', 'not_a_face', 'ambiguous', 'exclude'))`

/**
 * SQL: the ids of dataset `?`'s samples whose image is gone, for `NOT IN`: an index seek (status
 * has two values), where checking every row's status means joining each to samples (issue 19).
 */
export const MISSING_IDS_SQL = `(SELECT id FROM samples WHERE dataset_id = ? AND status = 'missing')`

/**
 * SQL: the label to suggest for the sample `s` with its scores `r`. An unlabelled face is offered
 * the model's class, whatever its label was when the ranking ran (a face unlabelled since then
 * had no suggestion: the model agreed with the label it had). The one answer for the grid's
 * tiles, the detail panel and Accept.
 */
export const SUGGESTED_SQL = `(CASE WHEN s.current_label IS NULL THEN r.predicted_label ELSE r.suggested_label END)`

/** Present samples counted by (original label, current label, predicted class): a row of label_tally. */
export interface LabelCount {
  original: Label | null
  current: Label | null
  predicted: Label | null
  n: number
}

/** The model with predictions for most of a dataset's images: what to rank with when no run says. */
export function mostPredictedModel(db: Db, datasetId: number): string | null {
  return (
    (db
      .prepare(
        `SELECT p.model_id FROM samples s JOIN predictions p ON p.content_hash = s.content_hash
          WHERE s.dataset_id = ? AND s.status = 'present' GROUP BY p.model_id ORDER BY count(*) DESC, p.model_id LIMIT 1`
      )
      .pluck()
      .get(datasetId) as string | undefined) ?? null
  )
}

export type ScoreRow = Omit<LabelIssueScores, 'modelId'> & { sampleId: number }

/** A ranking's rows: an array, or rows made one at a time as they are written (api/ranking.ts). */
export interface ScoreRows extends Iterable<ScoreRow> {
  readonly length: number
}

/** Rankings of at least this many rows rebuild review_scores' indexes rather than update them. */
const REBUILD_INDEXES_AT = 100_000

/**
 * label_tally as the ranking's caller counted it (countLabels over the samples it read and the new
 * predicted classes), and PRAGMA data_version when it read them: trusted only if no other
 * connection has written since.
 */
export interface CountedTally {
  counts: LabelCount[]
  readAt: number
}

/**
 * Replaces a dataset's ranking in one transaction: readers see the old one or the new one.
 * `elapsedMs` is asked just before the summary is written, so it counts writing the scores too.
 */
export function saveRanking(
  db: Db,
  summary: RankingSummary,
  rows: ScoreRows,
  elapsedMs?: () => number,
  tally?: CountedTally
): void {
  // Bound by position, not by name from a copy of each row: writing 1M rows took 11.8 s of a 63 s
  // ranking with named bindings of spread objects, 3.9-4.8 s this way (issue 19, profiled).
  const put = db.prepare(
    `INSERT INTO review_scores (sample_id, dataset_id, model_id, given_label, predicted_label, self_confidence, margin,
       confident_label, suggested_label, flagged, intensity, intensity_mismatch, combined, score, out_of_sample,
       neighbour_disagreement, oddness)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  const { datasetId, modelId } = summary
  // At AffectNet's size each row written through review_scores' indexes (seven then; one partial one
  // now that the grid's orders are kept in memory, scoreOrders.ts) lands on a random page of each: 1M rows took
  // 150-300 s (issue 19, `npm run bench:scale`). Above REBUILD_INDEXES_AT rows
  // the indexes are dropped and built again from their own definitions, inside the same transaction
  // (readers still see the old ranking or the new one), which sorts each once instead.
  const indexes =
    rows.length >= REBUILD_INDEXES_AT
      ? (db
          .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'review_scores' AND sql IS NOT NULL`)
          .all() as { name: string; sql: string }[])
      : []
  // The grid's orders are made from these scores (scoreOrders.ts): kept as they are written, so
  // that the first sorted page after the ranking need not read them back. Rows out of id order
  // (not the ranking's) are left to be read back in it.
  const columns = emptyScoreColumns(rows.length)
  let written = 0
  let inIdOrder = true
  const transaction = db.transaction(() => {
    for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`)
    db.prepare('DELETE FROM review_scores WHERE dataset_id = ?').run(datasetId)
    let i = 0
    for (const r of rows) {
      if (i < columns.ids.length && inIdOrder) {
        if (i > 0 && r.sampleId <= columns.ids[i - 1]) inIdOrder = false
        setScoreRow(columns, i, r, [r.score, r.combined, r.margin, r.intensityMismatch, r.neighbourDisagreement, r.oddness])
      }
      i++
      put.run(
        r.sampleId,
        datasetId,
        modelId,
        r.givenLabel,
        r.predictedLabel,
        r.selfConfidence,
        r.margin,
        r.confidentLabel,
        r.suggestedLabel,
        r.flagged ? 1 : 0,
        r.intensity,
        r.intensityMismatch,
        r.combined,
        r.score,
        r.outOfSample === null ? null : r.outOfSample ? 1 : 0,
        r.neighbourDisagreement ?? null,
        r.oddness ?? null
      )
    }
    if (indexes.length > 0) buildIndexes(db, indexes)
    // Holding the write lock now, so nobody else can write before the commit. The caller's count
    // saves grouping 1M samples joined to their scores again (1.8 s at 1M in a CPU profile of the
    // ranking, issue 19); this connection's own writes cannot have come between (better-sqlite3 is
    // synchronous).
    if (tally && db.pragma('data_version', { simple: true }) === tally.readAt) replaceLabelTally(db, datasetId, tally.counts)
    else recountLabelTally(db, datasetId)
    if (elapsedMs) summary.durationMs = elapsedMs()
    written = db
      .prepare(
        `INSERT INTO review_rankings (dataset_id, model_id, summary, ranked_at, scores_written) VALUES (?, ?, ?, ?, 1)
         ON CONFLICT (dataset_id) DO UPDATE SET model_id = excluded.model_id, summary = excluded.summary,
           ranked_at = excluded.ranked_at, scores_written = review_rankings.scores_written + 1
         RETURNING scores_written`
      )
      .pluck()
      .get(datasetId, modelId, JSON.stringify(summary), summary.rankedAt) as number
    if (i !== columns.ids.length) inIdOrder = false
  })
  // A large ranking's rows skip the foreign-key check on each insert (1M inserts took 2.9-3.8 s
  // checked, 2.4-3.0 s not, a one-off probe on bench:scale's store, three rankings each way, taking
  // turns): their sample ids were just read from samples, and the app never deletes a sample (a
  // file gone is marked missing). Only outside a transaction can the check be turned off; inside
  // one (a caller's) it stays on.
  const unchecked =
    rows.length >= REBUILD_INDEXES_AT && !db.inTransaction && (db.pragma('foreign_keys', { simple: true }) as number) === 1
  if (unchecked) db.pragma('foreign_keys = OFF')
  try {
    transaction()
  } finally {
    if (unchecked) db.pragma('foreign_keys = ON')
  }
  if (inIdOrder) keepScores(db, datasetId, written, columns)
}

/**
 * Removes every dataset's ranking that `modelId` made (its scores, its summary) and recounts those
 * datasets' label tallies, which hold the ranking's predicted labels. For a model whose stored
 * results were discarded (store/modelGraphs.ts): its rankings are its old graphs' verdicts, and
 * shown under the same id they would pass for the new graphs'. Each dataset shows no ranking until
 * its next run makes one.
 */
export function forgetRankingsOf(db: Db, modelId: string): void {
  const datasets = db.prepare('SELECT dataset_id FROM review_rankings WHERE model_id = ?').pluck().all(modelId) as number[]
  for (const datasetId of datasets) {
    db.prepare('DELETE FROM review_scores WHERE dataset_id = ?').run(datasetId)
    db.prepare('DELETE FROM review_rankings WHERE dataset_id = ?').run(datasetId)
    recountLabelTally(db, datasetId)
  }
}

export function rankingSummary(db: Db, datasetId: number): RankingSummary | null {
  const json = db.prepare('SELECT summary FROM review_rankings WHERE dataset_id = ?').pluck().get(datasetId) as string | undefined
  return json ? (JSON.parse(json) as RankingSummary) : null
}

export function hasRanking(db: Db, datasetId: number): boolean {
  return db.prepare('SELECT 1 FROM review_rankings WHERE dataset_id = ?').pluck().get(datasetId) !== undefined
}

interface ScoreDbRow {
  sample_id: number
  model_id: string
  given_label: Label | null
  predicted_label: Label
  self_confidence: number | null
  margin: number | null
  confident_label: Label | null
  suggested_label: Label | null
  flagged: number
  intensity: number | null
  intensity_mismatch: number | null
  combined: number | null
  score: number | null
  out_of_sample: number | null
  neighbour_disagreement: number | null
  oddness: number | null
}

export function issueFor(db: Db, sampleId: number): LabelIssueScores | null {
  const r = db
    .prepare(
      `SELECT r.*, ${SUGGESTED_SQL} AS suggested_label FROM review_scores r JOIN samples s ON s.id = r.sample_id
        WHERE r.sample_id = ?`
    )
    .get(sampleId) as ScoreDbRow | undefined
  if (!r) return null
  return {
    modelId: r.model_id,
    givenLabel: r.given_label,
    predictedLabel: r.predicted_label,
    selfConfidence: r.self_confidence,
    margin: r.margin,
    confidentLabel: r.confident_label,
    suggestedLabel: r.suggested_label,
    flagged: r.flagged === 1,
    intensity: r.intensity,
    intensityMismatch: r.intensity_mismatch,
    combined: r.combined,
    score: r.score,
    neighbourDisagreement: r.neighbour_disagreement,
    oddness: r.oddness,
    outOfSample: r.out_of_sample === null ? null : r.out_of_sample === 1
  }
}

/** The grid's per-tile review marks for one page of samples. */
export function reviewBriefs(db: Db, sampleIds: number[]): Map<number, SampleReviewBrief> {
  const out = new Map<number, SampleReviewBrief>()
  if (sampleIds.length === 0) return out
  const rows = db
    .prepare(
      `SELECT s.id, r.score, r.flagged, ${SUGGESTED_SQL} AS suggested, r.out_of_sample AS outOfSample, ${REVIEWED_SQL} AS reviewed
         FROM samples s LEFT JOIN review_scores r ON r.sample_id = s.id
        WHERE s.id IN (SELECT value FROM json_each(?))`
    )
    .all(JSON.stringify(sampleIds)) as {
    id: number
    score: number | null
    flagged: number | null
    suggested: Label | null
    outOfSample: number | null
    reviewed: number
  }[]
  for (const r of rows)
    out.set(r.id, {
      score: r.score,
      flagged: r.flagged === 1,
      suggestedLabel: r.suggested,
      reviewed: r.reviewed === 1,
      outOfSample: r.outOfSample === null ? null : r.outOfSample === 1
    })
  return out
}

export function isReviewed(db: Db, sampleId: number): boolean {
  return db.prepare(`SELECT ${REVIEWED_SQL} FROM samples s WHERE s.id = ?`).pluck().get(sampleId) === 1
}

/** The suggested label of each sample that has one. */
export function suggestions(db: Db, sampleIds: number[]): Map<number, Label> {
  const rows = db
    .prepare(
      `SELECT s.id, ${SUGGESTED_SQL} AS label FROM review_scores r JOIN samples s ON s.id = r.sample_id
        WHERE ${SUGGESTED_SQL} IS NOT NULL AND r.sample_id IN (SELECT value FROM json_each(?))`
    )
    .all(JSON.stringify(sampleIds)) as { id: number; label: Label }[]
  return new Map(rows.map((r) => [r.id, r.label]))
}

/** Samples of the list that belong to the dataset (and exist). */
export function ownedSamples(db: Db, datasetId: number, sampleIds: number[]): number[] {
  return db
    .prepare(`SELECT id FROM samples WHERE dataset_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id`)
    .pluck()
    .all(datasetId, JSON.stringify([...new Set(sampleIds)])) as number[]
}

/** Each sample's review marks, for the grid's tiles: marks are set with or without a ranking. */
export function sampleMarks(db: Db, sampleIds: number[]): Map<number, ReviewFlag[]> {
  const out = new Map<number, ReviewFlag[]>()
  if (sampleIds.length === 0) return out
  const rows = db
    .prepare('SELECT sample_id AS id, flag FROM flags WHERE sample_id IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(sampleIds)) as { id: number; flag: string }[]
  for (const r of rows) {
    if (!REVIEW_FLAGS.includes(r.flag as ReviewFlag)) continue
    out.set(r.id, [...(out.get(r.id) ?? []), r.flag as ReviewFlag])
  }
  return out
}

export function reviewFlags(db: Db, sampleId: number): ReviewFlag[] {
  const flags = db.prepare('SELECT flag FROM flags WHERE sample_id = ?').pluck().all(sampleId) as string[]
  return REVIEW_FLAGS.filter((f) => flags.includes(f))
}

export function getNote(db: Db, sampleId: number): string {
  return (db.prepare('SELECT note FROM sample_notes WHERE sample_id = ?').pluck().get(sampleId) as string | undefined) ?? ''
}

/** Flagged samples of the current ranking, and how many of them have been reviewed. */
export function reviewProgress(db: Db, datasetId: number): { flagged: number; reviewed: number } {
  // From review_scores' flagged index, the missing few left out by id and the reviewed set read
  // once: asking each flagged sample's status and decisions took 1.4 s at 1M (0.1 s this way).
  const flaggedSql = `FROM review_scores r WHERE r.dataset_id = ? AND r.flagged = 1 AND r.sample_id NOT IN ${MISSING_IDS_SQL}`
  const count = (sql: string): number => db.prepare(`SELECT count(*) ${sql}`).pluck().get(datasetId, datasetId) as number
  return { flagged: count(flaggedSql), reviewed: count(`${flaggedSql} AND r.sample_id IN ${REVIEWED_IDS_SQL}`) }
}

/**
 * Present samples counted by (original label, current label, predicted class), from which the
 * confusion matrix and the class distribution are both drawn: the few hundred rows of label_tally,
 * which triggers keep as samples change (see migrations.ts; counting 1M samples joined to their scores
 * took 1.1-1.5 s per request, issue 19).
 */
export function labelTally(db: Db, datasetId: number): LabelCount[] {
  return db
    .prepare(
      `SELECT nullif(original_label, '') AS original, nullif(current_label, '') AS current,
              nullif(predicted_label, '') AS predicted, n
         FROM label_tally WHERE dataset_id = ? AND n > 0`
    )
    .all(datasetId) as LabelCount[]
}

/** Samples counted by (original label, current label, predicted class), as label_tally holds them. */
export function countLabels(
  samples: Iterable<{ originalLabel: Label | null; currentLabel: Label | null; predicted: Label | null }>
): LabelCount[] {
  const counts = new Map<string, LabelCount>()
  for (const s of samples) {
    const key = `${s.originalLabel}\t${s.currentLabel}\t${s.predicted}`
    const count = counts.get(key)
    if (count) count.n++
    else counts.set(key, { original: s.originalLabel, current: s.currentLabel, predicted: s.predicted, n: 1 })
  }
  return [...counts.values()]
}

/**
 * Builds indexes with SQLite's sorter on two threads and its default 2 MB page cache rather than the
 * app's 64 MB (db.ts): building review_scores' indexes at 1M rows (13 then) took 6.9-9.1 s that way
 * against 10.1-13.7 s single-threaded and 14.8-19.8 s with the large cache (a one-off probe on the
 * bench:scale store, four rounds each, side by side; issue 19).
 */
function buildIndexes(db: Db, indexes: { sql: string }[]): void {
  const cache = db.pragma('cache_size', { simple: true }) as number
  const threads = db.pragma('threads', { simple: true }) as number
  db.pragma('cache_size = -2000')
  db.pragma('threads = 2')
  try {
    for (const index of indexes) db.exec(index.sql)
  } finally {
    db.pragma(`cache_size = ${cache}`)
    db.pragma(`threads = ${threads}`)
  }
}

function replaceLabelTally(db: Db, datasetId: number, counts: LabelCount[]): void {
  db.prepare('DELETE FROM label_tally WHERE dataset_id = ?').run(datasetId)
  const put = db.prepare('INSERT INTO label_tally VALUES (?, ?, ?, ?, ?)')
  for (const c of counts) put.run(datasetId, c.original ?? '', c.current ?? '', c.predicted ?? '', c.n)
}

/** Counts the dataset's label_tally again from its samples: after a ranking wrote new predicted labels. */
function recountLabelTally(db: Db, datasetId: number): void {
  db.prepare('DELETE FROM label_tally WHERE dataset_id = ?').run(datasetId)
  db.prepare(
    `INSERT INTO label_tally
       SELECT s.dataset_id, coalesce(s.original_label, ''), coalesce(s.current_label, ''), coalesce(r.predicted_label, ''), count(*)
         FROM samples s LEFT JOIN review_scores r ON r.sample_id = s.id
        WHERE s.dataset_id = ? AND s.status = 'present'
        GROUP BY 1, 2, 3, 4`
  ).run(datasetId)
}
