// Issue 17 item 2: the odd-image score (review/oddness.ts) as a pure function, and the "Odd images"
// sort and queue through the real API on real SQLite, with embeddings a real graph (the micro
// fixture with the output) computed from real images.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiHandlers } from '@shared/api'
import type { AppContext } from '@main/api/context'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { FINGERPRINT_ALGORITHM, fingerprintImage } from '@main/duplicates/fingerprint'
import { fillMissingContrasts, NEARLY_EMPTY_FRAMES_SQL, nearlyEmptyFrames } from '@main/store/duplicates'
import { contrastBeyondPlane } from '@main/vision/contrast'
import {
  FLAT_EMPTY,
  FLAT_FACE,
  flatness,
  medianNorm,
  normDeviation,
  oddness,
  ODD_NORM_SCALE,
  ODD_QUEUE_MIN,
  rowNorms,
  uncertainty,
  withFlatness
} from '@main/review/oddness'
import { rankedWithEmbeddings } from '../helpers/embeddedStore'

describe('odd-image score', () => {
  it('uncertainty is the entropy over its maximum: 0 for a sure answer, 1 for a uniform one', () => {
    expect(uncertainty([1, 0, 0, 0])).toBe(0)
    expect(uncertainty([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(1)
    expect(uncertainty([0.5, 0.5, 0, 0])).toBeCloseTo(Math.log(2) / Math.log(4))
  })

  it('measures each embedding’s length, and the median of those there are', () => {
    expect([...rowNorms([3, 4, 0, 0, 1, 0], 2)]).toEqual([5, 0, 1])
    expect(medianNorm([7, 6.5, 0, 7.2, NaN])).toBe(7)
    expect(medianNorm([0, 0])).toBeNull()
  })

  it('norm deviation: how far a length strays from the median either way, on a log scale, capped at 1', () => {
    expect(normDeviation(7, 7)).toBe(0)
    expect(normDeviation(7 * Math.exp(0.1), 7)).toBeCloseTo(0.1 / ODD_NORM_SCALE)
    expect(normDeviation(7 * Math.exp(-0.1), 7)).toBeCloseTo(0.1 / ODD_NORM_SCALE)
    expect(normDeviation(70, 7)).toBe(1)
    expect(normDeviation(0, 7)).toBeNull()
    expect(normDeviation(7, null)).toBeNull()
  })

  it('weights the two, puts an unsure image of a stray length above a sure typical face, and needs a length', () => {
    expect(oddness([0.5, 0.5, 0, 0], 7 * Math.exp(0.05), 7, 0.75)).toBeCloseTo(
      0.75 * (Math.log(2) / Math.log(4)) + 0.25 * (0.05 / ODD_NORM_SCALE)
    )
    const odd = oddness([0.3, 0.3, 0.2, 0.2], 8.5, 7) as number
    const face = oddness([0.97, 0.01, 0.01, 0.01], 7.05, 7) as number
    expect(odd).toBeGreaterThan(face)
    expect(oddness([0.3, 0.7], 0, 7)).toBeNull()
    expect(oddness([0.3, 0.7], 7, null)).toBeNull()
  })
})

describe('flatness: a frame with nothing in it', () => {
  const side = 32
  const thumb = (value: (x: number, y: number) => number) =>
    Uint8Array.from({ length: side * side }, (_, i) =>
      Math.max(0, Math.min(255, Math.round(value(i % side, Math.floor(i / side)))))
    )

  it('sees no contrast in a blank frame or a ramp of light, and all of a pattern’s', () => {
    expect(contrastBeyondPlane(thumb(() => 120))).toBe(0)
    expect(contrastBeyondPlane(thumb((x, y) => 40 + 3 * x + 2 * y))).toBeLessThan(0.5)
    // A checkerboard of ±10: nothing of it is a plane.
    expect(contrastBeyondPlane(thumb((x, y) => 120 + ((x + y) % 2 ? 10 : -10)))).toBeCloseTo(10, 1)
  })

  it('is 1 for an empty frame, 0 for a real face, and linear between', async () => {
    expect(flatness(contrastBeyondPlane(thumb((x) => 60 + 2 * x)))).toBe(1)
    expect(flatness((FLAT_EMPTY + FLAT_FACE) / 2)).toBeCloseTo(0.5)
    const face = await readFile(join(__dirname, '..', 'fixtures', 'faces', 'test', 'angry', 'sample5__face2.png'))
    const fingerprint = await fingerprintImage(face)
    expect(fingerprint.contrast).toBe(contrastBeyondPlane(fingerprint.thumb))
    expect(fingerprint.contrast).toBeGreaterThan(FLAT_FACE)
    expect(flatness(fingerprint.contrast)).toBe(0)
  })

  it('lifts the score of an empty frame above everything the model says, and never lowers one', () => {
    const sure = [0.97, 0.01, 0.01, 0.01]
    expect(withFlatness(oddness(sure, 7, 7, 0.5), 1)).toBe(1)
    expect(withFlatness(oddness(sure, 7, 7, 0.5), 0)).toBe(oddness(sure, 7, 7, 0.5))
    expect(withFlatness(oddness([0.25, 0.25, 0.25, 0.25], 7, 7, 0.5), 0.1)).toBeCloseTo(0.5)
  })
})

describe('the Odd images sort and queue through the API', () => {
  let ctx: AppContext
  let api: ApiHandlers
  let datasetId: number
  let ids: Map<string, number>

  beforeAll(async () => {
    ;({ ctx, api, datasetId, ids } = await rankedWithEmbeddings(
      'pf-odd',
      ['happy/a.png', 'happy/b.png', 'happy/c.png', 'sad/d.png', 'sad/e.png', 'neutral/f.png'].map((f, i): [string, number] => [
        f,
        15 + i * 45
      ])
    ))
    // The images are flat grey PNGs, empty frames all: once the duplicate search has stored their
    // thumbnails, flatness makes every score 1. These tests read what the model says, so the ranking
    // is redone without thumbnails; the last test brings them back.
    await ctx.duplicateSearches.settled(datasetId)
    ctx.db.prepare('DELETE FROM image_fingerprints').run()
    await api.rankLabelIssues({ datasetId })
  })
  afterAll(() => ctx?.db.close())

  const oddOf = async (id: number): Promise<number | null | undefined> =>
    (await api.getSampleReview({ sampleId: id })).issue?.oddness

  it('stores a score for every ranked image and sorts by it, highest first (lowest with reverse)', async () => {
    const page = await api.querySamples({ datasetId, filter: {}, sort: { by: 'odd' }, offset: 0, limit: 10 })
    expect(page.samples).toHaveLength(6)
    const scores = await Promise.all(page.samples.map((s) => oddOf(s.id)))
    expect(scores.every((s) => typeof s === 'number')).toBe(true)
    expect(scores).toEqual([...(scores as number[])].sort((x, y) => y - x))
    const reversed = await api.querySamples({ datasetId, filter: {}, sort: { by: 'odd', reverse: true }, offset: 0, limit: 10 })
    expect(reversed.samples.map((s) => s.id)).toEqual(page.samples.map((s) => s.id).reverse())
  })

  it('queues only images at or above the cut, highest first whatever the sort, in-sample ones included', async () => {
    // Scores set by hand so the queue's membership and order are known, whatever the micro model says.
    const set = ctx.db.prepare('UPDATE review_scores SET oddness = ?, out_of_sample = ? WHERE sample_id = ?')
    const plan: [string, number, number][] = [
      ['happy/a.png', ODD_QUEUE_MIN + 0.1, 1],
      ['happy/b.png', ODD_QUEUE_MIN - 0.01, 1],
      ['sad/d.png', ODD_QUEUE_MIN + 0.3, 0], // in-sample: still first, the model's memory says nothing here
      ['sad/e.png', ODD_QUEUE_MIN, 1],
      ['happy/c.png', 0, 1],
      ['neutral/f.png', 0, 1]
    ]
    for (const [path, score, out] of plan) set.run(score, out, ids.get(path))
    const queue = await api.querySamples({ datasetId, filter: { odd: true }, sort: { by: 'path' }, offset: 0, limit: 10 })
    expect(queue.samples.map((s) => s.relPath)).toEqual(['sad/d.png', 'happy/a.png', 'sad/e.png'])
    expect(queue.total).toBe(3)
    const sad = await api.querySamples({ datasetId, filter: { odd: true, currentLabel: 'sadness' }, offset: 0, limit: 10 })
    expect(sad.samples.map((s) => s.relPath)).toEqual(['sad/d.png', 'sad/e.png'])
  })

  it('queues blank frames first once the duplicate search has stored their thumbnails', async () => {
    const { root } = await api.getDataset({ datasetId })
    ctx.duplicateSearches.start(datasetId, root, true)
    await ctx.duplicateSearches.settled(datasetId)
    expect(ctx.db.prepare('SELECT count(*) FROM image_fingerprints WHERE thumb IS NOT NULL').pluck().get()).toBe(ids.size)
    await api.rankLabelIssues({ datasetId })
    const scores = await Promise.all([...ids.values()].map(oddOf))
    expect(scores).toEqual([...ids.values()].map(() => 1))
    const queue = await api.querySamples({ datasetId, filter: { odd: true }, offset: 0, limit: 10 })
    expect(queue.total).toBe(ids.size)
  })

  it('asks the store only for the nearly empty frames, through its partial index', () => {
    const plan = ctx.db.prepare(`EXPLAIN QUERY PLAN ${NEARLY_EMPTY_FRAMES_SQL}`).all(datasetId, 'a') as { detail: string }[]
    expect(plan[0].detail).toContain('image_fingerprints_flat')
  })

  it('gives thumbnails stored before contrasts were kept theirs, a batch at a time, once', () => {
    ctx.db.prepare('UPDATE image_fingerprints SET contrast = NULL').run()
    expect(nearlyEmptyFrames(ctx.db, datasetId, FINGERPRINT_ALGORITHM)).toEqual([])
    expect(fillMissingContrasts(ctx.db, FINGERPRINT_ALGORITHM, contrastBeyondPlane, 4)).toBe(4)
    expect(fillMissingContrasts(ctx.db, FINGERPRINT_ALGORITHM, contrastBeyondPlane, 4)).toBe(ids.size - 4)
    expect(fillMissingContrasts(ctx.db, FINGERPRINT_ALGORITHM, contrastBeyondPlane)).toBe(0)
    expect(nearlyEmptyFrames(ctx.db, datasetId, FINGERPRINT_ALGORITHM)).toHaveLength(ids.size)
  })

  it('fills them in when the dataset is next opened (its duplicate search), without fingerprinting again', async () => {
    ctx.db.prepare('UPDATE image_fingerprints SET contrast = NULL').run()
    const { root } = await api.getDataset({ datasetId })
    ctx.duplicateSearches.start(datasetId, root, false)
    expect(await ctx.duplicateSearches.settled(datasetId)).toMatchObject({ fingerprinted: 0 })
    expect(nearlyEmptyFrames(ctx.db, datasetId, FINGERPRINT_ALGORITHM)).toHaveLength(ids.size)
  })

  it('gives lists stored before embedding lengths were kept their lengths at the next ranking, and scores again', async () => {
    ctx.db.prepare('UPDATE neighbour_lists SET norms = NULL').run()
    ctx.db.prepare('UPDATE review_scores SET oddness = NULL').run()
    await api.rankLabelIssues({ datasetId })
    const stored = ctx.db.prepare('SELECT sample_ids, norms FROM neighbour_lists WHERE dataset_id = ?').get(datasetId) as {
      sample_ids: Buffer
      norms: Buffer
    }
    expect(stored.norms.byteLength).toBe(stored.sample_ids.byteLength)
    const lengths = new Float32Array(new Uint8Array(stored.norms).buffer)
    expect(lengths.every((x) => x > 0)).toBe(true)
    const scores = await Promise.all([...ids.values()].map(oddOf))
    expect(scores.every((x) => typeof x === 'number')).toBe(true)
  })
})
