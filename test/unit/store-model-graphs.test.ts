import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDb, type Db } from '@main/store/db'
import { discardResultsOfOtherGraphs } from '@main/store/modelGraphs'
import { predictionFor, storeResults } from '@main/store/predictions'
import { tempDir } from '../helpers/data'

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
})
