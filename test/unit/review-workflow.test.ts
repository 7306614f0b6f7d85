import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError, type ApiHandlers } from '@shared/api'
import { EMOTIONS } from '@shared/emotions'
import type { Sample } from '@shared/types'
import { closeContext, createContext, type AppContext } from '@main/api/context'
import { behindEdge } from '@main/api/edge'
import { createApiHandlers } from '@main/api/service'
import { storeResults } from '@main/store/predictions'
import { FACE_FIXTURE_DIR, tempDir, writePng } from '../helpers/data'
import { MICRO_MODEL } from '../helpers/models'

/**
 * The review workflow through the real API on a real SQLite file: predictions are written with
 * the store's own function (probabilities chosen so the right answer is known), then ranked,
 * sorted, filtered, accepted, flagged, noted, undone, and read back after a restart.
 */

const K = EMOTIONS.length
const probs = (cls: string, p: number): number[] => EMOTIONS.map((e) => (e === cls ? p : (1 - p) / (K - 1)))

describe('review workflow (API + SQLite)', () => {
  let ctx: AppContext
  let api: ApiHandlers
  let dataDir: string
  let datasetId: number
  const byName = new Map<string, Sample>()

  beforeAll(async () => {
    const root = await tempDir('pf-review-')
    const files: [string, number][] = [
      ['happy/h1.png', 10],
      ['happy/h2.png', 20],
      ['happy/h3.png', 30],
      ['happy/h4.png', 40],
      ['happy/h5.png', 50], // the model says sadness, confidently: a label issue
      ['sad/s1.png', 60],
      ['sad/s2.png', 70],
      ['sad/s3.png', 80],
      ['neutral/n1.png', 90],
      ['neutral/n2.png', 100],
      ['neutral/n3.png', 110] // never predicted: stays without scores
    ]
    for (const [path, shade] of files) await writePng(join(root, path), shade)
    // h4 and h5 are one photo, h4 brightened: a near-duplicate group whose labels differ once h5 is
    // relabelled (blank images of other shades are not copies of one photo: the rest group with nothing).
    const face = await readFile(join(FACE_FIXTURE_DIR, 'train', 'happy', 'sample4__face3.png'))
    await writeFile(join(root, 'happy', 'h5.png'), face)
    await writeFile(join(root, 'happy', 'h4.png'), await sharp(face).linear(1.2, 10).png().toBuffer())
    dataDir = await tempDir('pf-review-home-')
    ctx = createContext(dataDir, '0.0.0')
    api = behindEdge(createApiHandlers(ctx))
    datasetId = (await api.openDataset({ root })).dataset.id
    // The duplicate groups (one test reads their badges) are found behind the open.
    await ctx.duplicateSearches.settled(datasetId)
    const samples = (await api.querySamples({ datasetId, filter: {}, offset: 0, limit: 100 })).samples
    for (const s of samples) byName.set(s.relPath.split('/')[1].replace('.png', ''), s)
    const model = await api.addModel({ folder: MICRO_MODEL })
    const predicted: Record<string, number[]> = {
      h1: probs('happiness', 0.8),
      h2: probs('happiness', 0.85),
      h3: probs('happiness', 0.75),
      h4: probs('happiness', 0.7),
      h5: probs('sadness', 0.9),
      s1: probs('sadness', 0.8),
      s2: probs('sadness', 0.7),
      s3: probs('sadness', 0.75),
      n1: probs('neutral', 0.6),
      n2: probs('neutral', 0.65)
    }
    const results = await Promise.all(
      Object.entries(predicted).map(async ([name, p]) => {
        const { contentHash } = await api.getSample({ sampleId: (byName.get(name) as Sample).id })
        const predictedIndex = p.indexOf(Math.max(...p))
        return {
          hash: contentHash,
          ok: true as const,
          probabilities: p,
          predicted: predictedIndex,
          confidence: p[predictedIndex],
          attention: [],
          generated: false,
          intensity: null
        }
      })
    )
    storeResults(ctx.db, model.id, model.classes, results)
  })
  afterAll(async () => {
    if (ctx) await closeContext(ctx)
  })

  const id = (name: string): number => (byName.get(name) as Sample).id
  const page = async (args: Partial<Parameters<typeof api.querySamples>[0]> = {}) =>
    api.querySamples({ datasetId, filter: {}, offset: 0, limit: 100, ...args })
  const names = (samples: Sample[]): string[] => samples.map((s) => s.relPath.split('/')[1].replace('.png', ''))

  it('refuses to rank before there are predictions, then ranks and stores every sample’s scores', async () => {
    const other = await tempDir('pf-review-empty-')
    await writePng(join(other, 'happy', 'x.png'), 5)
    const emptyId = (await api.openDataset({ root: other })).dataset.id
    await expect(api.rankLabelIssues({ datasetId: emptyId })).rejects.toMatchObject({ code: 'bad_request' })

    const events: unknown[] = []
    const off = ctx.events.subscribe((event, payload) => event === 'labelIssuesRanked' && events.push(payload))
    const summary = await api.rankLabelIssues({ datasetId })
    off()
    expect(events).toEqual([summary])
    expect(summary).toMatchObject({
      modelId: 'pfvit-micro-test',
      predicted: 10,
      scored: 10,
      flagged: 1,
      thresholdsFrom: 'out-of-sample'
    })
    // The micro model is untrained: nothing of this dataset is in its training set.
    expect(summary.outOfSample).toEqual({ out: 10, in: 0, unknown: 0 })
    expect(summary.thresholds[1]).toBeCloseTo((0.8 + 0.85 + 0.75 + 0.7 + 0.1 / 7) / 5, 4)
    expect(summary.thresholds[7]).toBeNull() // no contempt label to learn a threshold from
  })

  it('sorts by each score with the likely wrong label first and unscored samples last', async () => {
    expect(names((await page({ sort: { by: 'likelyWrong' } })).samples)[0]).toBe('h5')
    expect(names((await page({ sort: { by: 'margin' } })).samples)[0]).toBe('h5')
    expect(names((await page({ sort: { by: 'selfConfidence' } })).samples)[0]).toBe('h5')
    const likely = await page({ sort: { by: 'likelyWrong' } })
    expect(names(likely.samples).at(-1)).toBe('n3')
    expect(names((await page({ sort: { by: 'likelyWrong', reverse: true } })).samples).at(-1)).toBe('n3')
    // Scores descend down the page; paging gives the same order as one page.
    const scores = likely.samples.map((s) => s.review?.score ?? -1)
    expect(scores).toEqual([...scores].sort((a, b) => b - a))
    const two = [
      ...(await page({ sort: { by: 'likelyWrong' }, limit: 4 })).samples,
      ...(await page({ sort: { by: 'likelyWrong' }, offset: 4, limit: 100 })).samples
    ]
    expect(two.map((s) => s.id)).toEqual(likely.samples.map((s) => s.id))
    // Default order is still the path order, for the callers that predate sorting.
    const plain = await page()
    expect(plain.samples.map((s) => s.relPath)).toEqual([...plain.samples.map((s) => s.relPath)].sort())
    expect(likely.samples[0].review).toEqual({
      score: expect.any(Number),
      flagged: true,
      suggestedLabel: 'sadness',
      reviewed: false,
      outOfSample: true
    })
    await expect(page({ sort: { by: 'nonsense' as never } })).rejects.toMatchObject({ code: 'bad_request' })
  })

  it('filters to flagged samples and to a confusion-matrix cell', async () => {
    expect(names((await page({ filter: { flaggedOnly: true } })).samples)).toEqual(['h5'])
    const cell = await page({ filter: { currentLabel: 'happiness', predictedLabel: 'sadness' } })
    expect(names(cell.samples)).toEqual(['h5'])
    const metrics = await api.getReviewMetrics({ datasetId })
    const { rows, columns, counts } = metrics.confusion
    expect(counts[rows.indexOf('happiness')][columns.indexOf('sadness')]).toBe(1)
    expect(counts[rows.indexOf('happiness')][columns.indexOf('happiness')]).toBe(4)
    expect(metrics.progress).toEqual({ flagged: 1, reviewed: 0 })
    expect(metrics.perClass.find((c) => c.label === 'sadness')).toMatchObject({
      precision: 3 / 4,
      recall: 1,
      support: 3,
      predicted: 4
    })
  })

  it('accepts a suggestion as one undoable label change that counts as reviewed, and the metrics follow', async () => {
    const changed: unknown[] = []
    const off = ctx.events.subscribe((event, payload) => event === 'labelsChanged' && changed.push(payload))
    // h1 has no suggestion (the model agrees), so only h5 moves.
    const result = await api.acceptSuggestions({ datasetId, sampleIds: [id('h5'), id('h1')] })
    off()
    expect(result).toMatchObject({ sampleIds: [id('h5')], canUndo: true })
    // Every window learns which sample changed, with the grid rows to patch its tiles with: its
    // own, and those of its duplicate group's other members, whose "labels differ" badge follows.
    expect(changed).toMatchObject([{ datasetId, sampleIds: [id('h5')] }])
    const rows = (changed[0] as { samples: Sample[] }).samples
    expect(rows).toEqual(result.samples)
    expect(rows.find((r) => r.id === id('h5'))).toMatchObject({ currentLabel: 'sadness', review: { reviewed: true } })
    expect(rows.length).toBeGreaterThan(1)
    for (const r of rows) expect(r.duplicate).toMatchObject({ group: rows[0].duplicate?.group, labelsDisagree: true })
    expect((await api.getSample({ sampleId: id('h5') })).currentLabel).toBe('sadness')
    let metrics = await api.getReviewMetrics({ datasetId })
    expect(metrics.progress).toEqual({ flagged: 1, reviewed: 1 })
    const at = (m: typeof metrics, r: string, c: string) =>
      m.confusion.counts[m.confusion.rows.indexOf(r)][m.confusion.columns.indexOf(c)]
    expect(at(metrics, 'happiness', 'sadness')).toBe(0)
    expect(at(metrics, 'sadness', 'sadness')).toBe(4)
    expect(metrics.distribution.find((d) => d.label === 'sadness')).toEqual({
      label: 'sadness',
      original: 3,
      current: 4,
      cleaned: 4
    })
    expect(names((await page({ filter: { reviewed: true } })).samples)).toEqual(['h5'])
    expect((await page({ filter: { reviewed: false } })).total).toBe(10)

    await api.undo({ datasetId })
    expect((await api.getSample({ sampleId: id('h5') })).currentLabel).toBe('happiness')
    metrics = await api.getReviewMetrics({ datasetId })
    expect(metrics.progress).toEqual({ flagged: 1, reviewed: 0 }) // an undone change is no decision
    expect(at(metrics, 'happiness', 'sadness')).toBe(1)
    await api.redo({ datasetId })
    expect((await api.getSampleReview({ sampleId: id('h5') })).reviewed).toBe(true)
    await api.undo({ datasetId })
  })

  it('keeps flags and notes per sample, in bulk, and refuses what is not its own', async () => {
    expect(await api.setReviewFlag({ datasetId, sampleIds: [id('h5')], flag: 'keep', on: true })).toMatchObject({
      sampleIds: [id('h5')],
      canUndo: true
    })
    expect((await api.getSampleReview({ sampleId: id('h5') })).reviewed).toBe(true)
    expect((await api.getReviewMetrics({ datasetId })).progress).toEqual({ flagged: 1, reviewed: 1 })
    expect(
      (await api.setReviewFlag({ datasetId, sampleIds: [id('s1'), id('s2')], flag: 'exclude', on: true })).sampleIds
    ).toEqual([id('s1'), id('s2')])
    expect(
      (await api.setReviewFlag({ datasetId, sampleIds: [id('s1'), id('s3')], flag: 'exclude', on: true })).sampleIds
    ).toEqual([id('s3')])
    expect(names((await page({ filter: { flag: 'exclude' } })).samples)).toEqual(['s1', 's2', 's3'])
    expect((await api.getReviewMetrics({ datasetId })).distribution.find((d) => d.label === 'sadness')).toMatchObject({
      current: 3,
      cleaned: 0
    })
    await api.setReviewFlag({ datasetId, sampleIds: [id('s1'), id('s2'), id('s3')], flag: 'exclude', on: false })
    await api.setReviewFlag({ datasetId, sampleIds: [id('h5')], flag: 'keep', on: false })
    expect((await api.getSampleReview({ sampleId: id('h5') })).reviewed).toBe(false)

    expect(await api.setNote({ sampleId: id('n1'), note: 'eyes closed — tired, not sad?' })).toMatchObject({
      sampleId: id('n1'),
      note: 'eyes closed — tired, not sad?'
    })
    expect((await api.getSampleReview({ sampleId: id('n1') })).note).toBe('eyes closed — tired, not sad?')

    await expect(
      api.setReviewFlag({ datasetId, sampleIds: [id('h1')], flag: 'bogus' as never, on: true })
    ).rejects.toBeInstanceOf(ApiError)
    await expect(api.setReviewFlag({ datasetId, sampleIds: [99_999], flag: 'keep', on: true })).rejects.toMatchObject({
      code: 'bad_request'
    })
    await expect(api.acceptSuggestions({ datasetId, sampleIds: [] })).rejects.toMatchObject({ code: 'bad_request' })
    await expect(api.setNote({ sampleId: id('n1'), note: 'x'.repeat(10_001) })).rejects.toMatchObject({ code: 'bad_request' })
  })

  it('keeps scores, flags, notes and the undo history across a restart', async () => {
    await api.setReviewFlag({ datasetId, sampleIds: [id('n2')], flag: 'ambiguous', on: true })
    await api.acceptSuggestions({ datasetId, sampleIds: [id('h5')] })
    await closeContext(ctx)
    ctx = createContext(dataDir, '0.0.0')
    api = behindEdge(createApiHandlers(ctx))
    const review = await api.getSampleReview({ sampleId: id('h5') })
    expect(review.issue).toMatchObject({
      givenLabel: 'happiness',
      predictedLabel: 'sadness',
      suggestedLabel: 'sadness',
      flagged: true,
      outOfSample: true
    })
    expect((await api.getSampleReview({ sampleId: id('n1') })).note).toBe('eyes closed — tired, not sad?')
    expect((await api.getSampleReview({ sampleId: id('n2') })).flags).toEqual(['ambiguous'])
    expect((await api.getReviewMetrics({ datasetId })).ranking?.modelId).toBe('pfvit-micro-test')
    await api.undo({ datasetId })
    expect((await api.getSample({ sampleId: id('h5') })).currentLabel).toBe('happiness')
    // Ranking again (no run in this process): the stored ranking's model is used.
    expect((await api.rankLabelIssues({ datasetId })).modelId).toBe('pfvit-micro-test')
    expect(await api.setNote({ sampleId: id('n1'), note: '  ' })).toMatchObject({ sampleId: id('n1'), note: '' })
  })
})
