import type { SampleFilter, SampleSort } from '@shared/types'
import { countOf, idMembership, pageOf, positionOf } from '../review/scoreOrder'
import type { Db } from './db'
import { REVIEWED_IDS_SQL } from './review'
import { filterClause, type FilterClause } from './sampleFilters'
import { gridOrder, orderWalk, queueWalk, scoredMembership, scoreFilter } from './scoreOrders'
import { untilWrite } from './untilWrite'

/**
 * Pages of the grid sorted by a score, and the odd-images queue: the kept order (./scoreOrders.ts)
 * walked, keeping the faces the filter lets through. What passes a filter is found once until a
 * write, like the totals of other views: a page is then a walk of at most offset + limit passing
 * faces (a few ms at offset 500,000 of 1M), whatever the filter.
 */

interface Passing {
  accept: (id: number) => boolean
  /** Passing faces without a score row (no prediction by the ranking's model), ascending. */
  unscored: Int32Array
  count: number
}

type Scored = ReturnType<typeof scoredMembership>

/**
 * The faces a filter (the odd-images queue aside) lets through, kept until a write. Its parts on
 * the ranking's columns are read from the kept scores and those on review marks from their own
 * small tables; only labels, split and "changed" ask SQLite for the dataset's faces, through
 * samples' indexes. "Flagged, not reviewed" at 1M faces took 0.9 s after a ranking as one SQL query
 * joining samples to their scores; this way 0.05-0.11 s then, and 33 ms after a relabel (`npm run
 * bench:scale`).
 */
function passing(db: Db, datasetId: number, filter: SampleFilter): Passing {
  return untilWrite(db, `passing:${datasetId}:${JSON.stringify(filter)}`, () => {
    const scored = scoredMembership(db, datasetId)
    const { flaggedOnly, predictedLabel, inSample, reviewed, flag, ...onSamples } = filter
    const tests: ((id: number) => boolean)[] = []
    // The faces to count among: the scored ones passing a score filter where there is one (163,229
    // of 1M for "flagged, not reviewed" on bench:scale's store), else every scored face.
    let among = scored.ids
    if (flaggedOnly || predictedLabel !== undefined || inSample !== undefined) {
      const byScores = scoreFilter(db, datasetId, { flaggedOnly, predictedLabel, inSample })
      tests.push(byScores.passes)
      among = byScores.scoredPassing
    }
    if (reviewed !== undefined) {
      const isReviewed = idMembership(db.prepare(`SELECT sample_id FROM ${REVIEWED_IDS_SQL}`).pluck().all() as number[])
      tests.push(reviewed ? isReviewed : (id) => !isReviewed(id))
    }
    if (flag !== undefined)
      tests.push(idMembership(db.prepare('SELECT sample_id FROM flags WHERE flag = ?').pluck().all(flag) as number[]))
    const where = filterClause(datasetId, onSamples)
    const base = where.sql === '' ? everyPresentFace(db, datasetId, scored) : facesPassingSql(db, datasetId, where, scored)
    if (tests.length === 0) return base
    const accept = (id: number): boolean => base.accept(id) && tests.every((test) => test(id))
    const unscored = base.unscored.filter(accept)
    let count = unscored.length
    for (const id of base.ids && base.ids.length < among.length ? base.ids : among) if (scored.has(id) && accept(id)) count++
    return { accept, unscored, count }
  })
}

/** The faces passing filters on samples' own columns (labels, split, changed), from SQL: no score is joined, the score filters having been taken out. */
function facesPassingSql(db: Db, datasetId: number, where: FilterClause, scored: Scored): Passing & { ids: number[] } {
  const ids = db
    .prepare(`SELECT s.id FROM ${where.from} WHERE s.dataset_id = ? AND s.status = 'present'${where.sql}`)
    .pluck()
    .all(datasetId, ...where.params) as number[]
  return {
    accept: idMembership(ids),
    unscored: Int32Array.from(ids.filter((id) => !scored.has(id))).sort(),
    count: ids.length,
    ids
  }
}

/**
 * No filter: every present face, the few missing ones left out by id rather than 1M ids read. The
 * present faces without a score are read only when the counts say there are some (files added
 * since the ranking).
 */
function everyPresentFace(db: Db, datasetId: number, scored: Scored): Passing & { ids?: undefined } {
  const missing = db
    .prepare(`SELECT id FROM samples WHERE dataset_id = ? AND status = 'missing'`)
    .pluck()
    .all(datasetId) as number[]
  const isMissing = idMembership(missing)
  // Present faces as label_tally counts them (kept by triggers): counting 1M index entries took 20-40 ms after every write.
  const count = db.prepare('SELECT coalesce(sum(n), 0) FROM label_tally WHERE dataset_id = ?').pluck().get(datasetId) as number
  const scoredPresent = scored.ids.length - missing.filter(scored.has).length
  const present = (): number[] =>
    db
      .prepare(`SELECT id FROM samples WHERE dataset_id = ? AND status = 'present' ORDER BY id`)
      .pluck()
      .all(datasetId) as number[]
  return {
    accept: (id) => !isMissing(id),
    unscored: Int32Array.from(count > scoredPresent ? present().filter((id) => !scored.has(id)) : []),
    count
  }
}

/** The view's walk (the order, or the odd-images queue) and what passes its filter. */
function view(db: Db, datasetId: number, filter: SampleFilter, sort: SampleSort) {
  const { odd, ...rest } = filter
  const order = gridOrder(db, datasetId, sort, !!odd)
  const pass = passing(db, datasetId, rest)
  const walk = odd ? queueWalk(order) : orderWalk(order, pass.unscored)
  const total = (): number =>
    odd ? untilWrite(db, `queue:${datasetId}:${JSON.stringify(rest)}`, () => countOf(walk, pass.accept)) : pass.count
  return { walk, accept: pass.accept, total }
}

export function scoreOrderedPage(
  db: Db,
  datasetId: number,
  filter: SampleFilter,
  sort: SampleSort,
  offset: number,
  limit: number
): { ids: number[]; total: number } {
  const { walk, accept, total } = view(db, datasetId, filter, sort)
  return { ids: pageOf(walk, accept, offset, limit), total: total() }
}

export function scoreOrderedPosition(
  db: Db,
  datasetId: number,
  filter: SampleFilter,
  sort: SampleSort,
  sampleId: number
): number | null {
  const { walk, accept } = view(db, datasetId, filter, sort)
  return positionOf(walk, accept, sampleId)
}
