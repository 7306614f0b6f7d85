import { copyFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { scanDataset } from '@main/datasets/scan'
import { openDb } from '@main/store/db'
import { storeResults } from '@main/store/predictions'
import { probabilitiesAt, rankingInputs, type RankingInputs } from '@main/store/review'
import { querySamples } from '@main/store/samples'
import { tempDir, writePng } from '../helpers/data'

const CLASSES = ['neutral', 'happiness']

/** The columns read back as one object a sample, to compare whole. */
function rows(inputs: RankingInputs) {
  return inputs.sampleIds.map((sampleId, i) => ({
    sampleId,
    originalLabel: inputs.originalLabels[i],
    currentLabel: inputs.currentLabels[i],
    split: inputs.splits[i],
    probabilities: [...probabilitiesAt(inputs, i)],
    intensity: Number.isNaN(inputs.intensity[i]) ? null : inputs.intensity[i]
  }))
}
const result = (hash: string, p: number[], intensity: number | null = null) => ({
  hash,
  ok: true as const,
  probabilities: p,
  predicted: p.indexOf(Math.max(...p)),
  confidence: Math.max(...p),
  attention: [],
  generated: false,
  intensity
})

describe('what the ranking reads: every present sample with a prediction by the model, in id order', () => {
  it('gives identical files the prediction of their one content, and leaves out the unpredicted, the missing and other models', async () => {
    const root = await tempDir('pf-rank-inputs-')
    await writePng(join(root, 'happy', 'a.png'), 10)
    await copyFile(join(root, 'happy', 'a.png'), join(root, 'happy', 'a-copy.png'))
    await writePng(join(root, 'happy', 'b.png'), 20) // predicted by another model only
    await writePng(join(root, 'neutral', 'c.png'), 30)
    await writePng(join(root, 'neutral', 'd.png'), 40) // predicted, then its file goes
    const db = openDb(':memory:')
    const { datasetId } = await scanDataset(db, root)
    const samples = querySamples(db, datasetId, {}, 0, 100).samples
    const hashOf = (relPath: string) =>
      db.prepare('SELECT content_hash FROM samples WHERE rel_path = ?').pluck().get(relPath) as string
    storeResults(db, 'm', CLASSES, [
      result(hashOf('happy/a.png'), [0.2, 0.8], 0.05),
      result(hashOf('neutral/c.png'), [0.9, 0.1]),
      result(hashOf('neutral/d.png'), [0.6, 0.4])
    ])
    storeResults(db, 'other', CLASSES, [result(hashOf('happy/b.png'), [0.5, 0.5])])
    await rm(join(root, 'neutral', 'd.png'))
    await scanDataset(db, root)

    const id = (relPath: string) => samples.find((s) => s.relPath === relPath)!.id
    const labelled = (label: string) => ({ originalLabel: label, currentLabel: label, split: null })
    const read = rankingInputs(db, datasetId, 'm')
    expect(read.inputs.length).toBe(3)
    expect(rows(read.inputs)).toEqual([
      { sampleId: id('happy/a-copy.png'), ...labelled('happiness'), probabilities: [0.2, 0.8], intensity: 0.05 },
      { sampleId: id('happy/a.png'), ...labelled('happiness'), probabilities: [0.2, 0.8], intensity: 0.05 },
      { sampleId: id('neutral/c.png'), ...labelled('neutral'), probabilities: [0.9, 0.1], intensity: null }
    ])
    // The present samples left out are counted by label, for the metrics' tally; the missing one is not.
    expect(read.unpredicted).toEqual([{ original: 'happiness', current: 'happiness', predicted: null, n: 1 }])
    expect(rankingInputs(db, datasetId, 'other').inputs.sampleIds).toEqual([id('happy/b.png')])
    expect(rankingInputs(db, datasetId, 'none').inputs.length).toBe(0)
    expect(rankingInputs(db, datasetId, 'none').unpredicted).toEqual([
      { original: 'happiness', current: 'happiness', predicted: null, n: 3 },
      { original: 'neutral', current: 'neutral', predicted: null, n: 1 }
    ])
  })

  it('refuses a model whose stored predictions disagree on how many classes it has', async () => {
    const root = await tempDir('pf-rank-inputs-width-')
    await writePng(join(root, 'happy', 'a.png'), 10)
    await writePng(join(root, 'happy', 'b.png'), 20)
    const db = openDb(':memory:')
    const { datasetId } = await scanDataset(db, root)
    const hashes = db.prepare('SELECT content_hash FROM samples ORDER BY id').pluck().all() as string[]
    storeResults(db, 'm', CLASSES, [result(hashes[0], [0.2, 0.8])])
    storeResults(db, 'm', [...CLASSES, 'surprise'], [result(hashes[1], [0.2, 0.3, 0.5])])
    expect(() => rankingInputs(db, datasetId, 'm')).toThrow(/predictions of 2 and of 3 classes/)
  })
})
