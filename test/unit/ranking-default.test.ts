import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiHandlers } from '@shared/api'
import type { Sample } from '@shared/types'
import { closeContext, createContext, type AppContext } from '@main/api/context'
import { behindEdge } from '@main/api/edge'
import { createApiHandlers } from '@main/api/service'
import { rankLabelIssues } from '@main/review/ranking'
import { storeResults } from '@main/store/predictions'
import { tempDir, writePng } from '../helpers/data'
import { buildFerplusShaped } from '../helpers/ferplusShaped'
import { brokenModelCopy } from '../helpers/models'

/**
 * Issue 16, the ranking part: which order the grid opens on, where training (in-sample) faces go,
 * the out-of-sample declaration, and the page cap of querySamples — through the real API on a real
 * SQLite file, with predictions written by the store's own function so the right order is known.
 */

// The model's classes: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt.
const P: Record<string, number[]> = {
  // FER2013Train: the model card says the model trained on these (in-sample).
  'FER2013Train/fer0000020.png': [0.01, 0.95, 0.04, 0, 0, 0, 0, 0], // labelled neutral; the most "wrong" of all
  'FER2013Train/fer0000027.png': [0.05, 0.9, 0.05, 0, 0, 0, 0, 0],
  'FER2013Train/fer0000034.png': [0.9, 0.05, 0.05, 0, 0, 0, 0, 0],
  // FER2013Valid and Test: out-of-sample. 41 and 55 are where self-confidence and margin disagree:
  // 55 has the lower probability for its label (0.25 < 0.30), 41 the lower margin (−0.39 < −0.125).
  'FER2013Valid/fer0000041.png': [0.3, 0.69, 0.01, 0, 0, 0, 0, 0],
  'FER2013Valid/fer0000048.png': [0.1, 0.8, 0.1, 0, 0, 0, 0, 0],
  'FER2013Valid/fer0000055.png': [0.25, 0.375, 0.375, 0, 0, 0, 0, 0],
  'FER2013Test/fer0000062.png': [0.85, 0.1, 0.05, 0, 0, 0, 0, 0],
  'FER2013Test/fer0000069.png': [0.05, 0.9, 0.05, 0, 0, 0, 0, 0],
  'FER2013Test/fer0000076.png': [0.7, 0.2, 0.1, 0, 0, 0, 0, 0]
}
const short = (relPath: string): string => relPath.split('/')[1].replace(/^fer0+|\.png$/g, '')

/** A copy of the micro model whose card says what the shipped model's says: trained on FERPlus Train. */
const ferplusTrainedModel = (): Promise<string> =>
  brokenModelCopy((m) => {
    m.id = 'pfvit-micro-ferplus-train'
    m.training = { ...(m.training ?? {}), data: 'FERPlus FER2013Train (label.csv votes, majority protocol)' }
  })

async function storePredictions(api: ApiHandlers, ctx: AppContext, modelId: string, probabilities: Map<number, number[]>) {
  const model = (await api.listModels({})).find((m) => m.id === modelId)
  if (!model) throw new Error(`model ${modelId} not listed`)
  const results = await Promise.all(
    [...probabilities].map(async ([sampleId, p]) => {
      const { contentHash } = await api.getSample({ sampleId })
      const predicted = p.indexOf(Math.max(...p))
      return {
        hash: contentHash,
        ok: true as const,
        probabilities: p,
        predicted,
        confidence: p[predicted],
        attention: [],
        generated: false,
        intensity: null
      }
    })
  )
  storeResults(ctx.db, model.id, model.classes, results)
}

describe('the default order of label issues (issue 16)', () => {
  let ctx: AppContext
  let api: ApiHandlers
  let dataDir: string
  let datasetId: number
  let modelId: string
  const byPath = new Map<string, Sample>()

  beforeAll(async () => {
    const root = await tempDir('pf-rank-default-')
    await buildFerplusShaped(root, 3)
    dataDir = await tempDir('pf-rank-default-home-')
    ctx = createContext(dataDir, '0.0.0')
    api = behindEdge(createApiHandlers(ctx))
    datasetId = (await api.openDataset({ root, format: 'ferplus' })).dataset.id
    for (const s of (await api.querySamples({ datasetId, filter: {}, offset: 0, limit: 100 })).samples) byPath.set(s.relPath, s)
    modelId = (await api.addModel({ folder: await ferplusTrainedModel() })).id
    const probabilities = new Map(Object.entries(P).map(([path, p]) => [(byPath.get(path) as Sample).id, p]))
    await storePredictions(api, ctx, modelId, probabilities)
    await api.rankLabelIssues({ datasetId, modelId })
  })
  afterAll(async () => {
    if (ctx) await closeContext(ctx)
  })

  const order = async (sort: Parameters<ApiHandlers['querySamples']>[0]['sort'], filter = {}) =>
    (await api.querySamples({ datasetId, filter, offset: 0, limit: 100, sort })).samples

  it('#16 default order: "most likely wrong" is plain self-confidence, the better-measured score; the combined order stays selectable', async () => {
    // The pure ranking: the score the grid opens on is 1 − p(label), the combined one is kept beside it.
    const { scores } = rankLabelIssues(
      [
        { given: 0, probabilities: P['FER2013Valid/fer0000041.png'], intensity: null, outOfSample: true },
        { given: 0, probabilities: P['FER2013Valid/fer0000055.png'], intensity: null, outOfSample: true }
      ],
      8,
      0
    )
    expect(scores[0].score).toBeCloseTo(1 - 0.3)
    expect(scores[1].score).toBeCloseTo(1 - 0.25)
    expect(scores[0].combined).toBeCloseTo((1 + 0.39) / 2)

    const likely = (await order({ by: 'likelyWrong' })).map((s) => short(s.relPath))
    // Out-of-sample faces by their probability for the label, lowest first: 55 (0.25) before 41 (0.30).
    expect(likely.slice(0, 6)).toEqual(['55', '41', '76', '48', '62', '69'])
    const combined = (await order({ by: 'combined' })).map((s) => short(s.relPath))
    expect(combined.indexOf('41')).toBeLessThan(combined.indexOf('55')) // the margin's order, still there
    const review = await api.getSampleReview({ sampleId: (byPath.get('FER2013Valid/fer0000041.png') as Sample).id })
    expect(review.issue?.combined).toBeCloseTo((1 + 0.39) / 2)
    expect(review.issue?.score).toBeCloseTo(0.7)
  })

  it('#16.4: the default order puts in-sample (training) faces after out-of-sample ones, and each tile says which it is', async () => {
    const likely = await order({ by: 'likelyWrong' })
    // Train/20 has the lowest self-confidence of all, but the model trained on it: it comes after
    // every out-of-sample face, first among the in-sample ones.
    expect(likely.map((s) => short(s.relPath))).toEqual(['55', '41', '76', '48', '62', '69', '20', '27', '34'])
    for (const by of ['selfConfidence', 'margin', 'combined'] as const)
      expect(
        (await order({ by })).slice(-3).every((s) => s.split === 'train'),
        by
      ).toBe(true)
    // Reversed, the groups stay where they are: reverse is about scores, not about what was trained on.
    expect((await order({ by: 'likelyWrong', reverse: true })).slice(-3).every((s) => s.split === 'train')).toBe(true)
    // The grid's page carries the status the tile shows.
    const status = new Map(likely.map((s) => [short(s.relPath), s.review?.outOfSample]))
    expect(status.get('20')).toBe(false)
    expect(status.get('55')).toBe(true)
  })

  it('#16.4: a filter keeps in-sample faces out of the list, or shows only them', async () => {
    const out = await order({ by: 'likelyWrong' }, { inSample: 'no' })
    expect(out.map((s) => s.split).sort()).toEqual(['test', 'test', 'test', 'valid', 'valid', 'valid'])
    const inside = await order({ by: 'likelyWrong' }, { inSample: 'yes' })
    expect(inside.map((s) => short(s.relPath))).toEqual(['20', '27', '34'])
    expect(await order({ by: 'likelyWrong' }, { inSample: 'unknown' })).toEqual([])
    await expect(
      api.querySamples({ datasetId, filter: { inSample: true as never }, offset: 0, limit: 10 })
    ).rejects.toMatchObject({ code: 'bad_request', field: 'filter.inSample' })
  })

  it('#16.4: the dataset says how many images each split holds, for "Run on 3 images (valid)"', async () => {
    const dataset = await api.getDataset({ datasetId })
    expect(dataset.splitCounts).toEqual({ train: 3, valid: 3, test: 3 })
  })

  it('#16.4: a folder declared out-of-sample is stored, shown, kept across a restart, and ranked as out-of-sample', async () => {
    // An image folder: the card says "FERPlus", but nothing says whether these are FERPlus images.
    const root = await tempDir('pf-rank-declared-')
    const files = ['happy/a.png', 'happy/b.png', 'neutral/c.png', 'neutral/d.png']
    for (const [i, f] of files.entries()) await writePng(join(root, f), 30 + 40 * i)
    const id = (await api.openDataset({ root })).dataset.id
    const samples = (await api.querySamples({ datasetId: id, filter: {}, offset: 0, limit: 10 })).samples
    const probabilities = new Map(
      samples.map((s, i) => [s.id, i % 2 ? [0.2, 0.7, 0.1, 0, 0, 0, 0, 0] : [0.6, 0.3, 0.1, 0, 0, 0, 0, 0]])
    )
    await storePredictions(api, ctx, modelId, probabilities)
    const before = await api.rankLabelIssues({ datasetId: id, modelId })
    expect(before.outOfSample).toEqual({ out: 0, in: 0, unknown: 4 })
    expect((await api.getDataset({ datasetId: id })).outOfSampleDeclaredAt).toBeNull()

    const ranked: unknown[] = []
    const off = ctx.events.subscribe((event, payload) => event === 'labelIssuesRanked' && ranked.push(payload))
    const declared = await api.declareOutOfSample({ datasetId: id, declared: true })
    off()
    expect(declared.outOfSampleDeclaredAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    // Ranked again at once with the same model, and the sidebar's sentence says why.
    expect(ranked).toHaveLength(1)
    const metrics = await api.getReviewMetrics({ datasetId: id })
    expect(metrics.ranking?.outOfSample).toEqual({ out: 4, in: 0, unknown: 0 })
    expect(metrics.ranking?.overlap).toMatch(/^Declared out-of-sample/)
    const page = await api.querySamples({ datasetId: id, filter: {}, offset: 0, limit: 10, sort: { by: 'likelyWrong' } })
    expect(page.samples.every((s) => s.review?.outOfSample === true)).toBe(true)

    // Exported with the provenance, dated: the claim stays the researcher's.
    const exported = join(await tempDir('pf-rank-declared-export-'), 'provenance.json')
    await api.exportLabels({ datasetId: id, format: 'provenance-json', path: exported, overwrite: false })
    const provenance = JSON.parse(await readFile(exported, 'utf8'))
    expect(provenance.dataset.outOfSampleDeclaredAt).toBe(declared.outOfSampleDeclaredAt)

    // Stored with the dataset: a restart (a new process on the same data folder) still has it.
    const again = createContext(dataDir, '0.0.0')
    try {
      const summary = await behindEdge(createApiHandlers(again)).getDataset({ datasetId: id })
      expect(summary.outOfSampleDeclaredAt).toBe(declared.outOfSampleDeclaredAt)
    } finally {
      await closeContext(again)
    }

    // Withdrawn, the folder is "unknown" again; a bad argument is refused and changes nothing.
    await expect(api.declareOutOfSample({ datasetId: id, declared: 'yes' as never })).rejects.toMatchObject({
      code: 'bad_request',
      field: 'declared'
    })
    await expect(api.declareOutOfSample({ datasetId: 999_999, declared: true })).rejects.toMatchObject({ code: 'not_found' })
    expect((await api.declareOutOfSample({ datasetId: id, declared: false })).outOfSampleDeclaredAt).toBeNull()
    expect((await api.getReviewMetrics({ datasetId: id })).ranking?.outOfSample).toEqual({ out: 0, in: 0, unknown: 4 })
  })

  it('#16: querySamples says when it cut a page to 2,000 rows, in the answer', async () => {
    const asked = await api.querySamples({ datasetId, filter: {}, offset: 0, limit: 5000 })
    expect(asked).toMatchObject({ limit: 2000, capped: true, total: 9 })
    const small = await api.querySamples({ datasetId, filter: {}, offset: 0, limit: 4 })
    expect(small).toMatchObject({ limit: 4, capped: false, total: 9 })
    expect(small.samples).toHaveLength(4)
  })
})
