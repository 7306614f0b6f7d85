import { copyFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { scanDataset } from '@main/datasets/scan'
import { openDb } from '@main/store/db'
import { storeResults } from '@main/store/predictions'
import { probabilitiesAt, rankingInputs, type RankingInputs } from '@main/store/rankingInputs'
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

describe('the join kept between rankings (ranking again reads only the labels)', () => {
  /** A dataset of three faces in a store file, ranked once by model "m" through connection `a`. */
  async function rankedStore() {
    const root = await tempDir('pf-rank-kept-')
    await writePng(join(root, 'happy', 'a.png'), 10)
    await writePng(join(root, 'happy', 'b.png'), 20)
    await writePng(join(root, 'neutral', 'c.png'), 30)
    const file = join(await tempDir('pf-rank-kept-store-'), 'pokerface.sqlite')
    const a = openDb(file)
    const { datasetId } = await scanDataset(a, root)
    const hashOf = (relPath: string) =>
      a.prepare('SELECT content_hash FROM samples WHERE rel_path = ?').pluck().get(relPath) as string
    storeResults(a, 'm', CLASSES, [
      result(hashOf('happy/a.png'), [0.2, 0.8], 0.05),
      result(hashOf('happy/b.png'), [0.3, 0.7]),
      result(hashOf('neutral/c.png'), [0.9, 0.1])
    ])
    expect(rankingInputs(a, datasetId, 'm').inputs.length).toBe(3)
    return { root, file, a, datasetId, hashOf }
  }
  const writes = (db: ReturnType<typeof openDb>) =>
    Object.fromEntries(db.prepare('SELECT scope, n FROM ranking_input_writes').raw().all() as [string, number][])

  it('gives what a fresh read gives after relabelling, which counts no write', async () => {
    const { file, a, datasetId } = await rankedStore()
    const before = writes(a)
    a.prepare("UPDATE samples SET current_label = 'neutral' WHERE rel_path = 'happy/a.png'").run()
    expect(writes(a)).toEqual(before)
    const again = rows(rankingInputs(a, datasetId, 'm').inputs)
    expect(again.find((r) => r.probabilities[0] === 0.2)?.currentLabel).toBe('neutral')
    expect(again).toEqual(rows(rankingInputs(openDb(file), datasetId, 'm').inputs))
  })

  it('reads the join again after another connection changes a prediction, adds or loses a sample, or a file changes', async () => {
    const { root, file, a, datasetId, hashOf } = await rankedStore()
    const b = openDb(file)
    const probabilitiesOf = (relPath: string) => {
      const read = rows(rankingInputs(a, datasetId, 'm').inputs)
      const id = a.prepare('SELECT id FROM samples WHERE rel_path = ?').pluck().get(relPath)
      return read.find((r) => r.sampleId === id)?.probabilities
    }
    // A prediction replaced (a second run of the model) through another connection.
    storeResults(b, 'm', CLASSES, [result(hashOf('happy/b.png'), [0.6, 0.4])])
    expect(probabilitiesOf('happy/b.png')).toEqual([0.6, 0.4])
    // A file changed on disk: new content, with no prediction yet.
    await writePng(join(root, 'happy', 'b.png'), 200)
    await scanDataset(b, root)
    expect(probabilitiesOf('happy/b.png')).toBeUndefined()
    expect(rankingInputs(a, datasetId, 'm').unpredicted).toEqual([
      { original: 'happiness', current: 'happiness', predicted: null, n: 1 }
    ])
    // A new file whose content the model has seen (a copy), and a file gone.
    await copyFile(join(root, 'neutral', 'c.png'), join(root, 'neutral', 'c-copy.png'))
    await rm(join(root, 'happy', 'a.png'))
    await scanDataset(b, root)
    expect(probabilitiesOf('neutral/c-copy.png')).toEqual([0.9, 0.1])
    expect(probabilitiesOf('happy/a.png')).toBeUndefined()
    expect(rows(rankingInputs(a, datasetId, 'm').inputs)).toEqual(rows(rankingInputs(openDb(file), datasetId, 'm').inputs))
  })

  it('counts a write for each prediction and each sample added, changed or removed, and none for a rescan that finds nothing new', async () => {
    const { root, a, datasetId, hashOf } = await rankedStore()
    const before = writes(a)
    expect(before[`dataset:${datasetId}`]).toBe(3)
    expect(before['model:m']).toBe(3)
    await scanDataset(a, root)
    expect(writes(a)).toEqual(before)
    storeResults(a, 'other', CLASSES, [result(hashOf('happy/a.png'), [0.5, 0.5])])
    expect(writes(a)).toEqual({ ...before, 'model:other': 1 })
  })
})

describe('the predictions read on a second thread (big datasets)', () => {
  const ON_A_THREAD = { predictionsThreadAt: 0 }
  const ON_ONE = { predictionsThreadAt: Number.POSITIVE_INFINITY }

  /** What `read` gives, and what it warned of (a thread that failed says so; its caller reads alone). */
  function warned<T>(read: () => T): { value: T; warnings: string[] } {
    const warnings: string[] = []
    const warn = console.warn
    console.warn = (message: string) => warnings.push(message)
    try {
      return { value: read(), warnings }
    } finally {
      console.warn = warn
    }
  }

  /** A store file with copies, an unpredicted face, other models' rows and a hash that is not hex. */
  async function mixedStore() {
    const root = await tempDir('pf-rank-thread-')
    for (let i = 0; i < 6; i++) await writePng(join(root, i % 2 ? 'happy' : 'neutral', `${i}.png`), 20 * i + 5)
    await copyFile(join(root, 'happy', '1.png'), join(root, 'happy', '1-copy.png'))
    const file = join(await tempDir('pf-rank-thread-store-'), 'pokerface.sqlite')
    const db = openDb(file)
    const { datasetId } = await scanDataset(db, root)
    // A store from elsewhere may hold any string as a content hash.
    db.prepare("UPDATE samples SET content_hash = 'not-hex' WHERE rel_path = 'neutral/4.png'").run()
    const hashes = db.prepare("SELECT content_hash FROM samples WHERE rel_path != 'neutral/2.png'").pluck().all() as string[]
    storeResults(
      db,
      'm',
      CLASSES,
      hashes.map((h, i) => result(h, [i / 10, 1 - i / 10], i % 2 ? 0.01 * i : null))
    )
    storeResults(db, 'm', CLASSES, [result('f'.repeat(64), [0.5, 0.5])]) // a content of no sample here
    storeResults(db, 'other', CLASSES, [result(hashes[0], [0.9, 0.1])])
    return { file, datasetId }
  }

  it('gives what the read on one thread gives', async () => {
    const { file, datasetId } = await mixedStore()
    const { value: threaded, warnings } = warned(() => rankingInputs(openDb(file), datasetId, 'm', ON_A_THREAD))
    expect(warnings).toEqual([])
    const single = rankingInputs(openDb(file), datasetId, 'm', ON_ONE)
    expect(threaded.inputs.length).toBe(6)
    expect(rows(threaded.inputs)).toEqual(rows(single.inputs))
    expect(threaded.unpredicted).toEqual(single.unpredicted)
    expect(threaded.unpredicted).toEqual([{ original: 'neutral', current: 'neutral', predicted: null, n: 1 }])
  })

  it('refuses predictions of two widths there too', async () => {
    const { file, datasetId } = await mixedStore()
    const db = openDb(file)
    const hash = db.prepare("SELECT content_hash FROM samples WHERE rel_path = 'neutral/0.png'").pluck().get() as string
    storeResults(db, 'm', [...CLASSES, 'surprise'], [result(hash, [0.2, 0.3, 0.5])])
    expect(() => rankingInputs(openDb(file), datasetId, 'm', ON_A_THREAD)).toThrow(/predictions of 2 and of 3 classes/)
  })

  it('reads them on one thread when the second cannot open the store, and says so', async () => {
    const { file, datasetId } = await mixedStore()
    const expected = rows(rankingInputs(openDb(file), datasetId, 'm', ON_ONE).inputs)
    const db = openDb(file)
    // The open connection keeps the file it has; a new one finds none.
    await rm(file)
    const { value, warnings } = warned(() => rankingInputs(db, datasetId, 'm', ON_A_THREAD))
    expect(rows(value.inputs)).toEqual(expected)
    expect(warnings.join('\n')).toMatch(/reading predictions on a second thread failed .*; reading them on one/)
  })
})
