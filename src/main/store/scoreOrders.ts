import type { SampleFilter, SampleSort, SampleSortKey } from '@shared/types'
import { ODD_QUEUE_MIN } from '../review/oddness'
import { outOfSampleCode } from '../review/ranking'
import { idMembership, sortRows, walkOrder, type RowOrder } from '../review/scoreOrder'
import type { Db } from './db'
import { untilWrite } from './untilWrite'

/**
 * The grid's orders by a score (issue 19), kept in memory instead of in twelve order indexes that
 * every ranking rebuilt (10 of a 1M ranking's 24 s). A dataset's scores are read once per ranking
 * (or handed over by the ranking that wrote them), each order sorted the first time it is asked
 * for (review/scoreOrder.ts), and both kept until the next ranking: relabelling changes no score,
 * so it keeps them. Only saveRanking writes review_scores, and it counts its writes in
 * review_rankings.scores_written, which is what says the kept scores are the stored ones, whichever
 * process ranked.
 */

/** review_scores' columns the grid sorts by. */
export const SCORE_COLUMNS = ['score', 'combined', 'margin', 'intensity_mismatch', 'neighbour_disagreement', 'oddness'] as const
export type ScoreColumn = (typeof SCORE_COLUMNS)[number]

/**
 * A dataset's scores as the orders and the score filters are made from them: rows in sample id
 * order, NaN for a NULL score.
 */
export interface ScoreColumns {
  ids: Int32Array
  keys: Record<ScoreColumn, Float64Array>
  /** out_of_sample: 0 the model trained on the face (those go after the rest), 1 it did not, 2 unknown. */
  outOfSample: Uint8Array
  flagged: Uint8Array
  /** The predicted class, an index into `classes`. */
  predicted: Uint16Array
  classes: string[]
}

/** One score row as saveRanking writes it (out_of_sample as stored, or as the ranking's boolean). */
export interface ScoreColumnsRow {
  sampleId: number
  outOfSample: number | boolean | null
  flagged: number | boolean
  predictedLabel: string
}

/**
 * Each sort key's column and the direction that puts the likely wrong first. "Lowest
 * self-confidence" is the order of "most likely wrong", which is 1 − self-confidence (review/ranking.ts).
 */
const SCORE_SORTS: Record<Exclude<SampleSortKey, 'path' | 'odd'>, { column: ScoreColumn; descending: boolean }> = {
  likelyWrong: { column: 'score', descending: true },
  combined: { column: 'combined', descending: true },
  selfConfidence: { column: 'score', descending: true },
  margin: { column: 'margin', descending: false },
  intensityMismatch: { column: 'intensity_mismatch', descending: true },
  neighbours: { column: 'neighbour_disagreement', descending: true }
}

/**
 * A grid order: sample ids, and the run of them (ascending ids) that faces without a score row
 * join by id — where SQL's ORDER BY over samples LEFT JOIN review_scores puts them. `queue` is how
 * many lead the odd-images order with a score at least ODD_QUEUE_MIN (the odd-images queue).
 */
export interface GridOrder {
  ids: Int32Array
  merge: { from: number; to: number }
  queue: number
}

interface Kept {
  datasetId: number
  version: string
  columns: ScoreColumns
  orders: Map<string, GridOrder>
}

/** One dataset's scores per connection: the one being reviewed (56 MB at 1M faces). */
const kept = new WeakMap<Db, Kept>()

/** Which scores are stored: the ranking's write count, or (no ranking row: stores written by hand) the database's state. */
function scoresVersion(db: Db, datasetId: number): string | null {
  const written = db.prepare('SELECT scores_written FROM review_rankings WHERE dataset_id = ?').pluck().get(datasetId) as
    number | undefined
  return written === undefined ? null : `ranking ${written}`
}

/**
 * Keeps the scores a ranking has just written, so that the grid's first sorted page after it needs
 * no read of 1M rows (which the first sorted page in a fresh process makes: 2.0 s at 1M, `npm run
 * bench:scale`). `written` is the scores_written the ranking stored.
 */
export function keepScores(db: Db, datasetId: number, written: number, columns: ScoreColumns): void {
  kept.set(db, { datasetId, version: `ranking ${written}`, columns, orders: new Map() })
}

/** The dataset's kept scores, read again if a ranking has written since. */
function keptScores(db: Db, datasetId: number): Kept {
  const version = scoresVersion(db, datasetId)
  const entry = kept.get(db)
  if (version !== null && entry && entry.datasetId === datasetId && entry.version === version) return entry
  // The version and the rows read in one transaction (one snapshot): a ranking committed by another
  // process between the two would otherwise tag its scores with the old count, or the reverse.
  const read = db.transaction((): Kept => ({
    datasetId,
    version: scoresVersion(db, datasetId) ?? '',
    columns: readScores(db, datasetId),
    orders: new Map()
  }))
  if (version === null) return untilWrite(db, `scores:${datasetId}`, read)
  const fresh = read()
  kept.set(db, fresh)
  return fresh
}

/** Every score row of the dataset, in sample id order (the table read through: its key is the id). */
function readScores(db: Db, datasetId: number): ScoreColumns {
  const n = db.prepare('SELECT count(*) FROM review_scores WHERE dataset_id = ?').pluck().get(datasetId) as number
  const columns = emptyScoreColumns(n)
  const rows = db
    .prepare(
      `SELECT sample_id, out_of_sample, flagged, predicted_label, ${SCORE_COLUMNS.join(', ')}
         FROM review_scores WHERE +dataset_id = ? ORDER BY sample_id`
    )
    .raw()
    .iterate(datasetId) as IterableIterator<[number, number | null, number, string, ...(number | null)[]]>
  // In keptScores' transaction: the count and the rows are of one snapshot.
  let i = 0
  for (const [sampleId, outOfSample, flagged, predictedLabel, ...scores] of rows)
    setScoreRow(columns, i++, { sampleId, outOfSample, flagged, predictedLabel }, scores)
  return columns
}

export function emptyScoreColumns(n: number): ScoreColumns {
  const keys = {} as Record<ScoreColumn, Float64Array>
  for (const c of SCORE_COLUMNS) keys[c] = new Float64Array(n)
  return {
    ids: new Int32Array(n),
    keys,
    outOfSample: new Uint8Array(n),
    flagged: new Uint8Array(n),
    predicted: new Uint16Array(n),
    classes: []
  }
}

/** Row i of the columns: a sample's row, and its scores in SCORE_COLUMNS' order. */
export function setScoreRow(columns: ScoreColumns, i: number, row: ScoreColumnsRow, scores: (number | null | undefined)[]): void {
  columns.ids[i] = row.sampleId
  const out = row.outOfSample
  columns.outOfSample[i] = outOfSampleCode(out === null ? null : out === 1 || out === true)
  columns.flagged[i] = row.flagged === 1 || row.flagged === true ? 1 : 0
  let c = columns.classes.indexOf(row.predictedLabel)
  if (c < 0) c = columns.classes.push(row.predictedLabel) - 1
  columns.predicted[i] = c
  for (let k = 0; k < SCORE_COLUMNS.length; k++) columns.keys[SCORE_COLUMNS[k]][i] = scores[k] ?? NaN
}

/**
 * The grid order for a sort by a score, or the odd-images order (the queue's, whatever the sort;
 * `reverse` then ignored). Label scores: unscored faces last, in-sample faces after the rest, the
 * score's direction within each, ties by sample id (scan order) so pages stay stable. In-sample
 * faces go last whatever their score because the model has memorised their labels: a confident
 * score there says little, and a review that opened on them would waste its first hour. Odd images:
 * unscored last, regardless of in-sample — whether an image is a face at all does not depend on the
 * model having memorised its label.
 */
export function gridOrder(db: Db, datasetId: number, sort: SampleSort, oddQueue: boolean): GridOrder {
  const entry = keptScores(db, datasetId)
  const odd = oddQueue || sort.by === 'odd'
  const reverse = !!sort.reverse && !oddQueue
  const { column, descending } = odd
    ? { column: 'oddness' as const, descending: true }
    : SCORE_SORTS[sort.by as keyof typeof SCORE_SORTS]
  const key = `${column}:${descending !== reverse}:${odd}`
  let order = entry.orders.get(key)
  if (!order) {
    order = makeOrder(entry.columns, column, descending !== reverse, odd)
    entry.orders.set(key, order)
  }
  return order
}

function makeOrder(columns: ScoreColumns, column: ScoreColumn, descending: boolean, odd: boolean): GridOrder {
  const keys = columns.keys[column]
  const n = keys.length
  const groups = new Uint8Array(n)
  // Label scores: 0 scored, 1 scored in-sample, 2 no score, 3 no score in-sample. Odd: 0 scored, 1 not.
  for (let i = 0; i < n; i++) {
    const inSample = columns.outOfSample[i] === 0 ? 1 : 0
    groups[i] = Number.isNaN(keys[i]) ? (odd ? 1 : 2 + inSample) : odd ? 0 : inSample
  }
  const sorted: RowOrder = sortRows(keys, groups, odd ? 2 : 4, descending)
  const ids = new Int32Array(n)
  for (let i = 0; i < n; i++) ids[i] = columns.ids[sorted.rows[i]]
  const nullGroup = odd ? 1 : 2
  let queue = 0
  if (odd && descending) while (queue < sorted.groupStarts[1] && keys[sorted.rows[queue]] >= ODD_QUEUE_MIN) queue++
  return { ids, merge: { from: sorted.groupStarts[nullGroup], to: sorted.groupStarts[nullGroup + 1] }, queue }
}

/** Whether a sample has a score row in the kept scores (a byte per id), and the ids that have, ascending. */
export function scoredMembership(db: Db, datasetId: number): { has: (id: number) => boolean; ids: Int32Array } {
  const entry = keptScores(db, datasetId)
  const cached = scoredSets.get(entry)
  if (cached) return cached
  const scored = { has: idMembership(entry.columns.ids), ids: entry.columns.ids }
  scoredSets.set(entry, scored)
  return scored
}
const scoredSets = new WeakMap<Kept, { has: (id: number) => boolean; ids: Int32Array }>()

/** A walk along an order, with `unscored` (ascending ids of faces without a score row) where SQL would put them. */
export function orderWalk(order: GridOrder, unscored: Int32Array): (visit: (id: number) => boolean) => void {
  return (visit) => walkOrder(order.ids, { ...order.merge, extra: unscored }, visit)
}

/** The odd-images queue's walk: the order's first `queue` ids (faces without a score are never in it). */
export function queueWalk(order: GridOrder): (visit: (id: number) => boolean) => void {
  const ids = order.ids.subarray(0, order.queue)
  return (visit) => walkOrder(ids, { from: 0, to: 0, extra: new Int32Array(0) }, visit)
}

/**
 * The grid's filters on the ranking's columns (flagged, predicted class, trained on), from the kept
 * scores: after each decision at 1M faces, asking SQLite for the faces that pass them joined 1M
 * samples to their scores again (0.7-1.0 s, `npm run bench:scale`). Faces without a score row pass
 * where SQL's NULLs would: no flag, no predicted class, "trained on" unknown.
 */
export function scoreFilter(
  db: Db,
  datasetId: number,
  filter: Pick<SampleFilter, 'flaggedOnly' | 'predictedLabel' | 'inSample'>
): ScoreFilter {
  const entry = keptScores(db, datasetId)
  const key = JSON.stringify([filter.flaggedOnly, filter.predictedLabel, filter.inSample])
  // Kept with the scores, not until a write: a decision changes no score.
  let filters = scoreFilters.get(entry)
  if (!filters) scoreFilters.set(entry, (filters = new Map()))
  let kept = filters.get(key)
  if (!kept) filters.set(key, (kept = makeScoreFilter(entry.columns, scoredMembership(db, datasetId), filter)))
  return kept
}

/** A score filter: which faces pass it, and the scored ones that do (ascending ids). */
export interface ScoreFilter {
  passes: (id: number) => boolean
  scoredPassing: Int32Array
}
const scoreFilters = new WeakMap<Kept, Map<string, ScoreFilter>>()

function makeScoreFilter(
  columns: ScoreColumns,
  scored: { has: (id: number) => boolean },
  { flaggedOnly, predictedLabel, inSample }: Pick<SampleFilter, 'flaggedOnly' | 'predictedLabel' | 'inSample'>
): ScoreFilter {
  const predicted = predictedLabel === undefined ? -1 : columns.classes.indexOf(predictedLabel)
  const out = inSample === undefined ? -1 : { yes: 0, no: 1, unknown: 2 }[inSample]
  const passing: number[] = []
  for (let i = 0; i < columns.ids.length; i++)
    if (
      (!flaggedOnly || columns.flagged[i] === 1) &&
      (predictedLabel === undefined || columns.predicted[i] === predicted) &&
      (out < 0 || columns.outOfSample[i] === out)
    )
      passing.push(columns.ids[i])
  const inPassing = idMembership(passing)
  const unscoredPass = !flaggedOnly && predictedLabel === undefined && (inSample === undefined || inSample === 'unknown')
  return { passes: (id) => (scored.has(id) ? inPassing(id) : unscoredPass), scoredPassing: Int32Array.from(passing) }
}
