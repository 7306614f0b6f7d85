import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Label } from '@shared/emotions'
import type { RankingSummary } from '@shared/types'
import { openDb, type Db } from '@main/store/db'
import { MIGRATIONS } from '@main/store/migrations'
import {
  countLabels,
  labelTally,
  REVIEWED_SQL,
  reviewProgress,
  saveRanking,
  type CountedTally,
  type ScoreRow
} from '@main/store/review'
import { tempDir } from '../helpers/data'
import { scoreRow } from '../helpers/scoreRows'

/**
 * Issue 19 (metrics at 1M): the metrics read label_tally, which triggers keep as samples are added,
 * relabelled, go missing, come back or are deleted, and which a ranking recounts. After every kind
 * of change it must equal the count it replaced: present samples joined to their scores, grouped.
 */

const LABELS = ['happiness', 'sadness', 'neutral', null] as const

function reference(db: Db, datasetId: number): string[] {
  const rows = db
    .prepare(
      `SELECT s.original_label AS original, s.current_label AS current, r.predicted_label AS predicted, count(*) AS n
         FROM samples s LEFT JOIN review_scores r ON r.sample_id = s.id
        WHERE s.dataset_id = ? AND s.status = 'present' GROUP BY 1, 2, 3`
    )
    .all(datasetId) as { original: string | null; current: string | null; predicted: string | null; n: number }[]
  return rows.map((r) => JSON.stringify([r.original, r.current, r.predicted, r.n])).sort()
}
const tally = (db: Db, datasetId: number): string[] =>
  labelTally(db, datasetId)
    .map((r) => JSON.stringify([r.original, r.current, r.predicted, r.n]))
    .sort()

function addSamples(db: Db, datasetId: number, from: number, count: number): void {
  const put = db.prepare(
    `INSERT INTO samples (dataset_id, rel_path, size, mtime_ms, content_hash, original_label, current_label)
     VALUES (?, ?, 1, 1, ?, ?, ?)`
  )
  for (let i = from; i < from + count; i++) put.run(datasetId, `img/${i}.jpg`, `h${i}`, LABELS[i % 4], LABELS[(i + (i % 3)) % 4])
}

/**
 * The tally as a ranking counts it itself (api/ranking.ts): every present sample by its labels and
 * its new predicted class (null where it has none), with the data version it was read at.
 */
function countedTally(db: Db, datasetId: number, rows: ScoreRow[]): CountedTally {
  const readAt = db.pragma('data_version', { simple: true }) as number
  const predicted = new Map(rows.map((r) => [r.sampleId, r.predictedLabel]))
  const samples = db
    .prepare(
      `SELECT id, original_label AS originalLabel, current_label AS currentLabel FROM samples WHERE dataset_id = ? AND status = 'present'`
    )
    .all(datasetId) as { id: number; originalLabel: Label | null; currentLabel: Label | null }[]
  return { counts: countLabels(samples.map((s) => ({ ...s, predicted: predicted.get(s.id) ?? null }))), readAt }
}

function rank(db: Db, datasetId: number, shift: number, counted = false): void {
  const ids = db.prepare('SELECT id FROM samples WHERE dataset_id = ? AND id % 5 != 0').pluck().all(datasetId) as number[]
  const rows = ids.map((sampleId) => scoreRow({ sampleId, predictedLabel: LABELS[(sampleId + shift) % 3] as string }))
  const summary = { datasetId, modelId: 'm', rankedAt: 'now' } as RankingSummary
  saveRanking(db, summary, rows, undefined, counted ? countedTally(db, datasetId, rows) : undefined)
}

/** A store whose dataset 1 holds `count` samples, ranked (predicted labels shifted by `shift`). */
function rankedStore(count: number, shift: number): Db {
  const db = openDb(':memory:')
  db.prepare(`INSERT INTO datasets (id, root, name, created_at, opened_at) VALUES (1, '/a', 'a', 'x', 'x')`).run()
  addSamples(db, 1, 0, count)
  rank(db, 1, shift)
  return db
}

describe('label_tally (the metrics at 1M)', () => {
  it('equals the joined count after scans, rankings, relabels, missing images, deletions', () => {
    const db = openDb(':memory:')
    db.prepare(
      `INSERT INTO datasets (id, root, name, created_at, opened_at) VALUES (1, '/a', 'a', 'x', 'x'), (2, '/b', 'b', 'x', 'x')`
    ).run()
    const same = (step: string): void => {
      for (const id of [1, 2]) expect(tally(db, id), `${step}, dataset ${id}`).toEqual(reference(db, id))
    }
    addSamples(db, 1, 0, 60)
    addSamples(db, 2, 100, 30)
    same('added')
    expect(tally(db, 1).length).toBeGreaterThan(4)
    rank(db, 1, 0)
    same('ranked')
    rank(db, 1, 2, true)
    same('ranked, the tally counted by the ranking')
    // Relabels, as review decisions and undo write them, one sample at a time.
    const relabel = db.prepare('UPDATE samples SET current_label = ? WHERE id = ?')
    for (let id = 1; id <= 60; id += 7) relabel.run(LABELS[id % 4], id)
    same('relabelled')
    // A label file read again: original labels move.
    db.prepare(`UPDATE samples SET original_label = 'anger', split = 'train' WHERE id % 9 = 0`).run()
    same('originals moved')
    // Images gone from disk, then some back.
    db.prepare(`UPDATE samples SET status = 'missing' WHERE id % 4 = 0`).run()
    same('missing')
    db.prepare(`UPDATE samples SET status = 'present' WHERE id % 8 = 0`).run()
    same('back')
    // A path or size change alone moves nothing.
    db.prepare(`UPDATE samples SET size = 2 WHERE dataset_id = 1`).run()
    same('touched')
    addSamples(db, 1, 200, 10)
    same('added after the ranking')
    rank(db, 1, 1, true)
    same('ranked again with other predictions')
    db.prepare('DELETE FROM samples WHERE id % 6 = 0').run()
    same('deleted')
    db.prepare('DELETE FROM datasets WHERE id = 2').run()
    expect(tally(db, 2)).toEqual([])
    same('dataset deleted')
    db.close()
  })

  it('a tally the ranking counted is not written if another connection wrote after it was counted', async () => {
    const file = join(await tempDir('pf-tally-'), 'store.sqlite')
    const db = openDb(file)
    db.prepare(`INSERT INTO datasets (id, root, name, created_at, opened_at) VALUES (1, '/a', 'a', 'x', 'x')`).run()
    addSamples(db, 1, 0, 40)
    rank(db, 1, 0)
    const rows = db
      .prepare('SELECT sample_id AS sampleId, predicted_label AS predictedLabel FROM review_scores')
      .all() as ScoreRow[]
    const counted = countedTally(db, 1, rows)
    // Another process relabels a sample between the ranking's read and its write.
    const other = openDb(file)
    other.prepare(`UPDATE samples SET current_label = 'anger' WHERE id = 3`).run()
    other.close()
    saveRanking(db, { datasetId: 1, modelId: 'm', rankedAt: 'now' } as RankingSummary, rows.map(scoreRow), undefined, counted)
    expect(tally(db, 1)).toEqual(reference(db, 1))
    expect(tally(db, 1).some((t) => t.includes('"anger"'))).toBe(true)
    db.close()
  })

  it("the metrics' progress counts flagged present samples, and the reviewed among them, as the joined count did", () => {
    const db = rankedStore(90, 0)
    // Reviewed: a mark of each kind, on every fourth sample.
    const mark = db.prepare(`INSERT INTO flags (sample_id, flag, created_at) VALUES (?, ?, 'x')`)
    for (let id = 1; id <= 90; id += 4) mark.run(id, ['keep', 'not_a_face', 'ambiguous', 'exclude'][id % 4])
    db.prepare(`UPDATE samples SET status = 'missing' WHERE id % 7 = 0`).run()
    const joined = db
      .prepare(
        `SELECT count(*) AS flagged, coalesce(sum(${REVIEWED_SQL}), 0) AS reviewed
           FROM review_scores r JOIN samples s ON s.id = r.sample_id
          WHERE r.dataset_id = ? AND r.flagged = 1 AND s.status = 'present'`
      )
      .get(1)
    const progress = reviewProgress(db, 1)
    expect(progress).toEqual(joined)
    expect(progress.reviewed).toBeGreaterThan(0)
    expect(progress.flagged).toBeGreaterThan(progress.reviewed)
    db.close()
  })

  it('is filled from what a store already holds when the migration runs', () => {
    const db = rankedStore(40, 2)
    const before = reference(db, 1)
    // As a store made before the tally: its table and triggers gone, then the tally's migration again.
    db.exec(`DROP TRIGGER label_tally_insert; DROP TRIGGER label_tally_delete; DROP TRIGGER label_tally_update;
             DROP TABLE label_tally`)
    db.exec(MIGRATIONS.find((m) => m.includes('CREATE TABLE label_tally')) as string)
    expect(tally(db, 1)).toEqual(before)
    db.close()
  })
})
