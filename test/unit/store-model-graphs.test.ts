import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDb, type Db } from '@main/store/db'
import { discardResultsOfOtherGraphs } from '@main/store/modelGraphs'
import { predictionFor, storeResults } from '@main/store/predictions'
import { hasRanking, labelTally, saveRanking } from '@main/store/review'
import type { RankingSummary } from '@shared/types'
import { tempDir } from '../helpers/data'
import { scoreRow } from '../helpers/scoreRows'

const CLASSES = ['neutral', 'happiness']

const countEmbeddings = (db: Db, modelId: string): number =>
  (db.prepare('SELECT COUNT(*) AS n FROM embeddings WHERE model_id = ?').get(modelId) as { n: number }).n

function storeFor(db: Db, modelId: string, hashes: string[]): void {
  storeResults(
    db,
    modelId,
    CLASSES,
    hashes.map((hash) => ({
      hash,
      ok: true as const,
      probabilities: [0.7, 0.3],
      predicted: 0,
      confidence: 0.7,
      attention: [],
      generated: false,
      intensity: null,
      embedding: Float32Array.from([1, 0])
    }))
  )
}

describe('stored results follow the graphs they came from', () => {
  it('keeps them for the same graphs, and for a store that never recorded any', async () => {
    const db = openDb(join(await tempDir(), 'pf.sqlite'))
    storeFor(db, 'm', ['a', 'b'])
    expect(discardResultsOfOtherGraphs(db, 'm', 'sha-1 -')).toBe(0) // nothing recorded yet: kept
    expect(discardResultsOfOtherGraphs(db, 'm', 'sha-1 -')).toBe(0)
    expect(predictionFor(db, 'a', 'm')).not.toBeNull()
  })

  it('discards one model’s predictions, errors and embeddings when its graphs change, and no other model’s', async () => {
    const db = openDb(join(await tempDir(), 'pf.sqlite'))
    storeFor(db, 'm', ['a', 'b'])
    storeFor(db, 'other', ['a'])
    storeResults(db, 'm', CLASSES, [{ hash: 'c', ok: false, reason: 'corrupt' }])
    discardResultsOfOtherGraphs(db, 'm', 'sha-1 -')
    discardResultsOfOtherGraphs(db, 'other', 'sha-9 -')
    expect(countEmbeddings(db, 'm')).toBe(2)

    expect(discardResultsOfOtherGraphs(db, 'm', 'sha-2 -')).toBe(2)
    expect(predictionFor(db, 'a', 'm')).toBeNull()
    expect(countEmbeddings(db, 'm')).toBe(0)
    expect(db.prepare(`SELECT COUNT(*) AS n FROM inference_errors WHERE model_id = 'm'`).get()).toEqual({ n: 0 })
    expect(predictionFor(db, 'a', 'other')).not.toBeNull()
    expect(countEmbeddings(db, 'other')).toBe(1)
    // The new graphs are recorded: their own results are kept from now on.
    storeFor(db, 'm', ['a'])
    expect(discardResultsOfOtherGraphs(db, 'm', 'sha-2 -')).toBe(0)
    expect(predictionFor(db, 'a', 'm')).not.toBeNull()
  })

  it('forgets the rankings the discarded results made, in every dataset, and no other model’s', () => {
    const db = openDb(':memory:')
    const put =
      db.prepare(`INSERT INTO samples (dataset_id, rel_path, size, mtime_ms, content_hash, original_label, current_label)
       VALUES (?, ?, 1, 1, ?, 'happiness', 'happiness')`)
    const rank = (datasetId: number, modelId: string) => {
      db.prepare(`INSERT INTO datasets (id, root, name, created_at, opened_at) VALUES (?, ?, ?, 'x', 'x')`).run(
        datasetId,
        `/d${datasetId}`,
        `d${datasetId}`
      )
      const ids = [0, 1, 2].map((i) => Number(put.run(datasetId, `img/${i}.jpg`, `h${i}`).lastInsertRowid))
      const rows = ids.map((sampleId) => scoreRow({ sampleId, predictedLabel: 'sadness' }))
      saveRanking(db, { datasetId, modelId, rankedAt: 'now' } as RankingSummary, rows)
    }
    rank(1, 'm')
    rank(2, 'm')
    rank(3, 'other')
    discardResultsOfOtherGraphs(db, 'm', 'sha-1 -')
    discardResultsOfOtherGraphs(db, 'm', 'sha-1 -') // the same graphs: every ranking kept
    expect([1, 2, 3].map((d) => hasRanking(db, d))).toEqual([true, true, true])

    discardResultsOfOtherGraphs(db, 'm', 'sha-2 -')
    expect([1, 2, 3].map((d) => hasRanking(db, d))).toEqual([false, false, true])
    const scores = (d: number) => db.prepare('SELECT COUNT(*) FROM review_scores WHERE dataset_id = ?').pluck().get(d)
    expect([1, 2, 3].map(scores)).toEqual([0, 0, 3])
    // The label tally no longer counts the old ranking's predicted labels.
    expect(labelTally(db, 1).map((r) => [r.predicted, r.n])).toEqual([[null, 3]])
    expect(labelTally(db, 3).map((r) => [r.predicted, r.n])).toEqual([['sadness', 3]])
  })
})
