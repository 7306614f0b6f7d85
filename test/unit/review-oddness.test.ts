// Issue 17 item 2: the odd-image score (review/oddness.ts) as a pure function, and the "Odd images"
// sort and queue through the real API on real SQLite, with embeddings a real graph (the micro
// fixture with the output) computed from real images.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiHandlers } from '@shared/api'
import type { AppContext } from '@main/api/context'
import { isolation, oddness, ODD_QUEUE_MIN, uncertainty } from '@main/review/oddness'
import { rankedWithEmbeddings } from '../helpers/embeddedStore'

describe('odd-image score', () => {
  it('isolation is 1 − the mean similarity of the neighbours that exist', () => {
    expect(isolation([4, 7, -1], [0.9, 0.7, 0.99])).toBeCloseTo(0.2)
    expect(isolation([-1, -1], [1, 1])).toBeNull()
    expect(isolation([], [])).toBeNull()
  })

  it('uncertainty is the entropy over its maximum: 0 for a sure answer, 1 for a uniform one', () => {
    expect(uncertainty([1, 0, 0, 0])).toBe(0)
    expect(uncertainty([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(1)
    expect(uncertainty([0.5, 0.5, 0, 0])).toBeCloseTo(Math.log(2) / Math.log(4))
  })

  it('weights the two, puts an isolated unsure image above a crowded sure one, and needs neighbours', () => {
    expect(oddness([0.5, 0.5, 0, 0], [1, 2], [0.6, 0.8], 0.75)).toBeCloseTo(0.75 * 0.3 + 0.25 * 0.5)
    const odd = oddness([0.3, 0.3, 0.2, 0.2], [1, 2], [0.3, 0.4]) as number
    const face = oddness([0.97, 0.01, 0.01, 0.01], [1, 2], [0.95, 0.93]) as number
    expect(odd).toBeGreaterThan(face)
    expect(oddness([0.3, 0.7], [-1], [0.5])).toBeNull()
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
})
