import { describe, expect, it } from 'vitest'
import type { SampleFilter, SampleSort, SampleSortKey } from '@shared/types'
import { openDb, type Db } from '@main/store/db'
import { ODD_QUEUE_MIN } from '@main/review/oddness'
import { querySamples, samplePosition } from '@main/store/samples'
import { saveRanking, type ScoreRow } from '@main/store/review'
import type { RankingSummary } from '@shared/types'
import { planOf, prepared } from '../helpers/sqlPlans'

/**
 * Issue 19: sorted grid pages are read from review_scores' order indexes (migrations.ts) when every
 * sample is scored, and totals are kept until a write. Each sort and filter must give the same rows
 * in the same order as the query it replaced (samples LEFT JOIN review_scores, sorted whole), which
 * is written out below as the reference, on a small store full of ties, NULL scores and all three
 * out-of-sample states.
 */

const LABELS = ['happiness', 'sadness', 'neutral', null] as const
// 'odd' orders without putting in-sample faces last (review-oddness.test.ts checks it).
const KEYS: Record<Exclude<SampleSortKey, 'path' | 'odd'>, [string, 'ASC' | 'DESC']> = {
  likelyWrong: ['score', 'DESC'],
  combined: ['combined', 'DESC'],
  selfConfidence: ['self_confidence', 'ASC'],
  margin: ['margin', 'ASC'],
  intensityMismatch: ['intensity_mismatch', 'DESC'],
  neighbours: ['neighbour_disagreement', 'DESC']
}

/** Two datasets of 120 samples; dataset 1's scores repeat (ties) and are NULL every seventh row. */
function store(): Db {
  const db = openDb(':memory:')
  db.prepare(
    `INSERT INTO datasets (id, root, name, created_at, opened_at) VALUES (1, '/a', 'a', 'x', 'x'), (2, '/b', 'b', 'x', 'x')`
  ).run()
  const sample = db.prepare(
    `INSERT INTO samples (dataset_id, rel_path, size, mtime_ms, content_hash, split, original_label, current_label, status)
     VALUES (?, ?, 1, 1, ?, ?, ?, ?, ?)`
  )
  const score = db.prepare(
    `INSERT INTO review_scores (sample_id, dataset_id, model_id, predicted_label, self_confidence, margin, flagged,
       intensity_mismatch, score, combined, neighbour_disagreement, out_of_sample)
     VALUES (?, ?, 'm', ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  for (const datasetId of [2, 1]) {
    for (let i = 0; i < 120; i++) {
      // Paths in another order than ids, so the path sort and the id tie-break differ.
      const path = `img/${String((i * 37) % 120).padStart(3, '0')}.jpg`
      const original = LABELS[i % 4]
      const current = i % 9 === 0 ? LABELS[(i + 1) % 4] : original
      const id = Number(
        sample.run(
          datasetId,
          path,
          `h${i}`,
          i % 5 === 0 ? 'valid' : 'train',
          original,
          current,
          i % 17 === 0 ? 'missing' : 'present'
        ).lastInsertRowid
      )
      const value = (k: number): number | null => (i % 7 === k ? null : ((i * k) % 6) / 6)
      // The ranking's "most likely wrong" is 1 − self-confidence (review/ranking.ts); the grid reads
      // both orders from one index, so the store holds them as the ranking writes them.
      const selfConfidence = value(1)
      score.run(
        id,
        datasetId,
        LABELS[(i + 2) % 3],
        selfConfidence,
        value(2),
        i % 3 === 0 ? 1 : 0,
        value(3),
        selfConfidence === null ? null : 1 - selfConfidence,
        value(4),
        value(5),
        i % 3 === 0 ? null : i % 3 === 1 ? 1 : 0
      )
      if (i % 11 === 0) db.prepare(`INSERT INTO flags (sample_id, flag, created_at) VALUES (?, 'exclude', 'x')`).run(id)
      if (i % 13 === 0) db.prepare(`INSERT INTO flags (sample_id, flag, created_at) VALUES (?, 'keep', 'x')`).run(id)
    }
  }
  return db
}

/** The pre-issue-19 query, whole: every matching id in grid order. */
function reference(db: Db, filter: SampleFilter, sort: SampleSort): number[] {
  const parts: string[] = []
  const params: unknown[] = []
  if (filter.currentLabel !== undefined) {
    parts.push('s.current_label IS ?')
    params.push(filter.currentLabel)
  }
  if (filter.predictedLabel !== undefined) {
    parts.push('r.predicted_label = ?')
    params.push(filter.predictedLabel)
  }
  if (filter.changedOnly) parts.push('s.current_label IS NOT s.original_label')
  if (filter.flaggedOnly) parts.push('r.flagged = 1')
  if (filter.reviewed !== undefined)
    parts.push(
      `s.id ${filter.reviewed ? '' : 'NOT'} IN (SELECT sample_id FROM flags WHERE flag IN ('keep', 'not_a_face', 'ambiguous', 'exclude'))`
    )
  if (filter.flag !== undefined) {
    parts.push('s.id IN (SELECT sample_id FROM flags WHERE flag = ?)')
    params.push(filter.flag)
  }
  if (filter.inSample === 'unknown') parts.push('r.out_of_sample IS NULL')
  if (filter.inSample === 'yes') parts.push('r.out_of_sample = 0')
  let order = `s.rel_path ${sort.reverse ? 'DESC' : 'ASC'}`
  if (sort.by === 'odd') order = `r.oddness IS NULL, r.oddness ${sort.reverse ? 'ASC' : 'DESC'}, s.id`
  else if (sort.by !== 'path') {
    const [column, wrongFirst] = KEYS[sort.by]
    const direction = sort.reverse ? (wrongFirst === 'ASC' ? 'DESC' : 'ASC') : wrongFirst
    order = `r.${column} IS NULL, r.out_of_sample IS 0, r.${column} ${direction}, s.id`
  }
  return db
    .prepare(
      `SELECT s.id FROM samples s LEFT JOIN review_scores r ON r.sample_id = s.id
        WHERE s.dataset_id = 1 AND s.status = 'present'${parts.map((p) => ` AND ${p}`).join('')} ORDER BY ${order}`
    )
    .pluck()
    .all(...params) as number[]
}

/** Every id the grid shows, read in pages of 7 (so page edges fall inside runs of ties). */
function grid(db: Db, filter: SampleFilter, sort: SampleSort): { ids: number[]; total: number } {
  const ids: number[] = []
  let total = 0
  for (let offset = 0; ; offset += 7) {
    const page = querySamples(db, 1, filter, offset, 7, sort)
    total = page.total
    ids.push(...page.samples.map((s) => s.id))
    if (page.samples.length < 7) return { ids, total }
  }
}

const FILTERS: SampleFilter[] = [
  {},
  { currentLabel: 'happiness' },
  { currentLabel: null },
  { currentLabel: 'sadness', predictedLabel: 'neutral' },
  { changedOnly: true },
  { flaggedOnly: true },
  { flaggedOnly: true, reviewed: false },
  { reviewed: true },
  { flag: 'exclude' },
  { inSample: 'unknown' },
  { inSample: 'yes' }
]
const SORTS: SampleSort[] = [
  { by: 'path' },
  { by: 'path', reverse: true },
  ...Object.keys(KEYS).flatMap((by) => [{ by: by as SampleSortKey }, { by: by as SampleSortKey, reverse: true }])
]

describe('grid order at scale (issue 19)', () => {
  it('gives the same rows in the same order as the whole-sort query, every sample scored', () => {
    const db = store()
    for (const filter of FILTERS)
      for (const sort of SORTS) {
        const want = reference(db, filter, sort)
        expect(want.length, JSON.stringify(filter)).toBeGreaterThan(0)
        expect(grid(db, filter, sort), `${JSON.stringify(filter)} ${JSON.stringify(sort)}`).toEqual({
          ids: want,
          total: want.length
        })
      }
  })

  it('gives the same order when some samples have no score (the LEFT JOIN path)', () => {
    const db = store()
    db.prepare('DELETE FROM review_scores WHERE sample_id IN (SELECT id FROM samples WHERE dataset_id = 1 AND id % 10 = 3)').run()
    for (const filter of FILTERS)
      for (const sort of SORTS) expect(grid(db, filter, sort).ids, JSON.stringify(sort)).toEqual(reference(db, filter, sort))
  })

  it("sorts a dataset's scores once per ranking, not per page or per relabel", () => {
    const db = store()
    const readsScores = (run: () => unknown): number =>
      prepared(db, run).statements.filter((sql) => sql.includes('FROM review_scores WHERE +dataset_id')).length
    db.prepare(`INSERT INTO review_rankings (dataset_id, model_id, summary, ranked_at) VALUES (1, 'm', '{}', 'x')`).run()
    const margin: SampleSort = { by: 'margin' }
    expect(readsScores(() => querySamples(db, 1, {}, 0, 7, margin))).toBe(1)
    expect(readsScores(() => querySamples(db, 1, {}, 7, 7, { by: 'likelyWrong', reverse: true }))).toBe(0)
    // No order is read from an index any more: SQL sorts by a score nowhere on these paths.
    const { statements } = prepared(db, () => querySamples(db, 1, { currentLabel: 'happiness' }, 0, 7, margin))
    expect(statements.filter((sql) => /ORDER BY r\./.test(sql))).toEqual([])
    const id = db.prepare(`SELECT id FROM samples WHERE dataset_id = 1 AND status = 'present' LIMIT 1`).pluck().get()
    db.prepare(`UPDATE samples SET current_label = 'happiness' WHERE id = ?`).run(id)
    expect(readsScores(() => querySamples(db, 1, {}, 0, 7, margin))).toBe(0)
    expect(grid(db, { currentLabel: 'happiness' }, margin).ids).toEqual(reference(db, { currentLabel: 'happiness' }, margin))
    // A score changed in place (a trigger counts it as a ranking's write) is read again and sorted anew.
    db.prepare('UPDATE review_scores SET margin = -1 WHERE sample_id = ?').run(id)
    expect(readsScores(() => querySamples(db, 1, {}, 0, 7, margin))).toBe(1)
    expect(querySamples(db, 1, {}, 0, 1, margin).samples[0].id).toBe(id)
    expect(grid(db, {}, margin).ids).toEqual(reference(db, {}, margin))
  })

  it("takes a ranking's scores as it writes them, and each new ranking's at once, whichever order the page asks", () => {
    const db = store()
    const readsScores = (run: () => unknown): number =>
      prepared(db, run).statements.filter((sql) => sql.includes('FROM review_scores WHERE +dataset_id')).length
    // Dataset 1's scores rewritten through saveRanking twice, the margin turned round the second time.
    const stored = db
      .prepare(
        `SELECT sample_id AS sampleId, given_label AS givenLabel, predicted_label AS predictedLabel,
                confident_label AS confidentLabel, suggested_label AS suggestedLabel, intensity, oddness, self_confidence AS selfConfidence, margin,
                flagged, intensity_mismatch AS intensityMismatch, score, combined,
                neighbour_disagreement AS neighbourDisagreement, out_of_sample AS outOfSample
           FROM review_scores WHERE dataset_id = 1 ORDER BY sample_id`
      )
      .all() as (Omit<ScoreRow, 'flagged' | 'outOfSample'> & { flagged: number; outOfSample: number | null })[]
    const rank = (margin: (m: number | null) => number | null): void =>
      saveRanking(
        db,
        { datasetId: 1, modelId: 'm', rankedAt: 'now' } as RankingSummary,
        stored.map((r) => ({
          ...r,
          margin: margin(r.margin),
          flagged: r.flagged === 1,
          outOfSample: r.outOfSample === null ? null : r.outOfSample === 1
        }))
      )
    const margin: SampleSort = { by: 'margin' }
    rank((m) => m)
    expect(readsScores(() => querySamples(db, 1, {}, 0, 7, margin))).toBe(0)
    expect(grid(db, {}, margin).ids).toEqual(reference(db, {}, margin))
    rank((m) => (m === null ? null : -m))
    expect(readsScores(() => querySamples(db, 1, {}, 0, 7, margin))).toBe(0)
    expect(grid(db, { currentLabel: 'happiness' }, margin).ids).toEqual(reference(db, { currentLabel: 'happiness' }, margin))
    expect(grid(db, {}, { by: 'margin', reverse: true }).ids).toEqual(reference(db, {}, { by: 'margin', reverse: true }))
  })

  it('gives the odd-images order (ties, no score) as the whole sort does', () => {
    const db = store()
    db.prepare('UPDATE review_scores SET oddness = CASE WHEN sample_id % 6 = 0 THEN NULL ELSE (sample_id % 4) / 4.0 END').run()
    for (const sort of [{ by: 'odd' }, { by: 'odd', reverse: true }] as SampleSort[]) {
      for (const filter of FILTERS)
        expect(grid(db, filter, sort), `${JSON.stringify(filter)} ${JSON.stringify(sort)}`).toEqual({
          ids: reference(db, filter, sort),
          total: reference(db, filter, sort).length
        })
    }
  })

  it('reads a list of faces (a lasso, "more like this") id by id, not the whole dataset once per id', () => {
    const db = store()
    const ids = db.prepare('SELECT id FROM samples WHERE dataset_id = 1 ORDER BY id DESC LIMIT 30').pluck().all() as number[]
    const {
      result: [page],
      statements
    } = prepared(db, () => [
      querySamples(db, 1, { sampleIds: ids }, 0, 10, { by: 'likelyWrong' }),
      querySamples(db, 1, { sampleIds: ids, currentLabel: 'happiness' }, 0, 10)
    ])
    expect(page.samples.map((s) => s.id)).toEqual(ids.filter((id) => page.samples.some((s) => s.id === id)).slice(0, 10))
    const picked = statements.filter((sql) => sql.includes('pick'))
    expect(picked.length).toBeGreaterThanOrEqual(2)
    // SQLite keeps no statistics here, so the plan is the one it makes at 1M: there, reading the
    // dataset and scanning the list for each sample, a lasso of 100,000 faces did not answer in 5
    // minutes (`npm run bench:scale`).
    for (const sql of picked) expect(planOf(db, sql), sql).toMatch(/^SCAN pick/)
  })

  it('shows a list in its own order, once each, only the faces of the dataset that pass the filter', () => {
    const db = store()
    const all = db.prepare('SELECT id FROM samples ORDER BY id').pluck().all() as number[]
    // Scrambled, with repeats, faces of the other dataset, missing faces and ids that do not exist.
    const list = [...all.filter((_, i) => i % 3 !== 1).map((id, i) => all[(i * 53) % all.length] ?? id), 99_999, all[5], all[5]]
    const inDataset = new Set(reference(db, {}, { by: 'path' }))
    for (const filter of [{}, { currentLabel: 'happiness' as const }, { flaggedOnly: true }]) {
      const passing = new Set(reference(db, filter, { by: 'path' }))
      const want = [...new Set(list)].filter((id) => inDataset.has(id) && passing.has(id))
      expect(want.length).toBeGreaterThan(7)
      const sort: SampleSort = { by: 'margin', reverse: true }
      expect(grid(db, { ...filter, sampleIds: list }, sort), JSON.stringify(filter)).toEqual({ ids: want, total: want.length })
      // Undo puts the cursor where the grid shows the face.
      expect(samplePosition(db, 1, { ...filter, sampleIds: list }, sort, want[6])).toBe(6)
      expect(samplePosition(db, 1, { ...filter, sampleIds: list }, sort, all[1])).toBeNull() // dataset 2's (stored first)
    }
  })

  it("reads a list's faces once until a write, each page a slice of them", () => {
    const db = store()
    const list = (db.prepare('SELECT id FROM samples WHERE dataset_id = 1 ORDER BY id DESC').pluck().all() as number[]).slice(
      0,
      40
    )
    const filter: SampleFilter = { sampleIds: list, currentLabel: 'sadness' }
    const first = prepared(db, () => querySamples(db, 1, filter, 0, 5))
    const next = prepared(db, () => querySamples(db, 1, filter, 5, 5))
    expect(first.statements.filter((sql) => sql.includes('pick'))).toHaveLength(1)
    expect(next.statements.filter((sql) => sql.includes('pick'))).toHaveLength(0)
    expect(next.result.total).toBe(first.result.total)
    // A face relabelled sadness joins the list's view at once.
    const joining = db
      .prepare(
        `SELECT id FROM samples WHERE id IN (SELECT value FROM json_each(?)) AND status = 'present' AND current_label IS NOT 'sadness'`
      )
      .pluck()
      .get(JSON.stringify(list)) as number
    db.prepare(`UPDATE samples SET current_label = 'sadness' WHERE id = ?`).run(joining)
    const after = prepared(db, () => querySamples(db, 1, filter, 0, 40))
    expect(after.statements.filter((sql) => sql.includes('pick'))).toHaveLength(1)
    expect(after.result.total).toBe(first.result.total + 1)
    expect(after.result.samples.map((s) => s.id)).toContain(joining)
  })

  it('reads the odd-images queue from the head of its order, not every sample of the dataset', () => {
    const db = store()
    db.prepare('UPDATE review_scores SET oddness = (sample_id % 10) / 10.0').run()
    const {
      result: [queue, sad],
      statements
    } = prepared(db, () => [
      querySamples(db, 1, { odd: true }, 0, 100, { by: 'path' }),
      querySamples(db, 1, { odd: true, currentLabel: 'sadness' }, 0, 10, { by: 'likelyWrong' })
    ])
    // Only queued faces, whichever way the page is read.
    const oddness = db.prepare('SELECT oddness FROM review_scores WHERE sample_id = ?').pluck()
    expect(sad.samples.length).toBeGreaterThan(0)
    for (const s of [...queue.samples, ...sad.samples]) expect(oddness.get(s.id)).toBeGreaterThanOrEqual(ODD_QUEUE_MIN)
    const inQueue = db
      .prepare(
        `SELECT count(*) FROM samples s JOIN review_scores r ON r.sample_id = s.id
          WHERE s.dataset_id = 1 AND s.status = 'present' AND r.oddness >= ?`
      )
      .pluck()
      .get(ODD_QUEUE_MIN) as number
    expect(inQueue).toBeGreaterThan(0)
    expect(queue.total).toBe(inQueue)
    // The queue is the head of the odd-images order: no query scans the dataset's samples for it,
    // and its scores are read once (the first statement that reads review_scores whole).
    for (const sql of statements) expect(planOf(db, sql), sql).not.toMatch(/SCAN (s|samples)\b/)
    expect(statements.filter((sql) => sql.includes('FROM review_scores WHERE +dataset_id'))).toHaveLength(1)
  })

  it('counts again after a label changes, a mark is added or a sample goes missing', () => {
    const db = store()
    const total = (filter: SampleFilter): number => querySamples(db, 1, filter, 0, 1, { by: 'likelyWrong' }).total
    const happy = total({ currentLabel: 'happiness' })
    const id = db
      .prepare(`SELECT id FROM samples WHERE dataset_id = 1 AND status = 'present' AND current_label = 'sadness'`)
      .pluck()
      .get()
    db.prepare(`UPDATE samples SET current_label = 'happiness' WHERE id = ?`).run(id)
    expect(total({ currentLabel: 'happiness' })).toBe(happy + 1)
    const excluded = total({ flag: 'exclude' })
    db.prepare(`INSERT INTO flags (sample_id, flag, created_at) VALUES (?, 'exclude', 'x')`).run(id)
    expect(total({ flag: 'exclude' })).toBe(excluded + 1)
    db.prepare(`UPDATE samples SET status = 'missing' WHERE id = ?`).run(id)
    expect(total({ currentLabel: 'happiness' })).toBe(happy)
    // A sample without a score now: the unscored fallback, and its total, take over.
    db.prepare(
      `DELETE FROM review_scores WHERE sample_id = (SELECT min(id) FROM samples WHERE dataset_id = 1 AND status = 'present')`
    ).run()
    expect(grid(db, {}, { by: 'margin' }).ids).toEqual(reference(db, {}, { by: 'margin' }))
  })
})
