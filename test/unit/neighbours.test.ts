// Issue 17: exact nearest neighbours by cosine (onnxruntime, similarityGraph.ts), the neighbour label
// score, the PCA map, and the two requests through the real API on real SQLite, with embeddings a
// real graph (the micro fixture with the output) computed from real images.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError, type ApiHandlers } from '@shared/api'
import type { AppContext } from '@main/api/context'
import { allNeighbours } from '@main/neighbours/lists'
import { pca2d } from '@main/neighbours/pca'
import { ChunkedIndex } from '@main/neighbours/chunkedIndex'
import { NeighbourIndex, normaliseRows } from '@main/neighbours/search'
import { neighbourDisagreement } from '@main/review/neighbourSignal'
import { rankedWithEmbeddings } from '../helpers/embeddedStore'

/** A seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1
}

/** The answer by definition: every cosine computed in plain JavaScript, sorted. */
function bruteForce(vectors: Float32Array, d: number, query: Float32Array, k: number): number[] {
  const norm = (v: ArrayLike<number>, o: number) =>
    Math.sqrt(Array.from({ length: d }, (_, j) => v[o + j] ** 2).reduce((a, b) => a + b))
  const qn = norm(query, 0)
  const scored = Array.from({ length: vectors.length / d }, (_, i) => {
    let dot = 0
    for (let j = 0; j < d; j++) dot += vectors[i * d + j] * query[j]
    return { i, cos: dot / (norm(vectors, i * d) * qn) }
  })
  return scored
    .sort((a, b) => b.cos - a.cos)
    .slice(0, k)
    .map((s) => s.i)
}

describe('exact nearest neighbours', () => {
  it('finds the same k rows as a plain cosine search, in the same order, with their similarities', async () => {
    const d = 24
    const next = random(7)
    const vectors = Float32Array.from({ length: 500 * d }, next)
    const index = new NeighbourIndex(vectors, d)
    expect(vectors).toEqual(Float32Array.from({ length: 500 * d }, random(7))) // its input left as it was
    for (const q of [0, 17, 499]) {
      const query = vectors.slice(q * d, (q + 1) * d)
      const hits = await index.search(query, 5)
      expect(Array.from(hits.rows)).toEqual(bruteForce(vectors, d, query, 5))
      expect(hits.rows[0]).toBe(q)
      expect(hits.similarities[0]).toBeCloseTo(1, 5)
      for (let h = 1; h < 5; h++) expect(hits.similarities[h]).toBeLessThanOrEqual(hits.similarities[h - 1])
    }
  })

  it('in chunks, for a batch of queries, finds what one search over every row finds', async () => {
    const d = 16
    const next = random(11)
    const vectors = normaliseRows(Float32Array.from({ length: 1000 * d }, next), d)
    // 1000 rows in chunks of 96: ten full chunks and a short last one of 40.
    const chunked = new ChunkedIndex(1000, d, (i, out) => out.set(vectors.subarray(i * d, (i + 1) * d)), 96)
    const whole = new NeighbourIndex(Float32Array.from(vectors), d)
    const queries = normaliseRows(Float32Array.from({ length: 30 * d }, next), d)
    const [a, b] = [await chunked.search(queries, 9), await whole.search(queries, 9)]
    expect(a.k).toBe(9)
    expect(Array.from(a.rows)).toEqual(Array.from(b.rows))
    for (let i = 0; i < a.similarities.length; i++) expect(a.similarities[i]).toBeCloseTo(b.similarities[i], 5)
    // Fewer rows than k: every row, once.
    const small = new ChunkedIndex(5, d, (i, out) => out.set(vectors.subarray(i * d, (i + 1) * d)), 2)
    const few = await small.search(queries.subarray(0, d), 9)
    expect([...few.rows].sort()).toEqual([0, 1, 2, 3, 4])
  })

  it('lists each row’s neighbours without itself or its identical copies', async () => {
    const d = 8
    const next = random(3)
    const vectors = Float32Array.from({ length: 40 * d }, next)
    vectors.set(vectors.subarray(0, d), 39 * d) // row 39 is a copy of row 0
    const group = Array.from({ length: 40 }, (_, i) => (i === 39 ? 0 : i))
    const lists = await allNeighbours(new NeighbourIndex(Float32Array.from(vectors), d), group, 4)
    for (let i = 0; i < 40; i++) {
      const mine = Array.from(lists.rows.subarray(i * 4, (i + 1) * 4))
      expect(mine).not.toContain(i)
      if (group[i] === 0) expect(mine.some((r) => group[r] === 0)).toBe(false)
      const others = Array.from({ length: 40 }, (_, r) => r).filter((r) => group[r] !== group[i])
      const expected = bruteForce(
        Float32Array.from(others.flatMap((r) => Array.from(vectors.subarray(r * d, (r + 1) * d)))),
        d,
        vectors.subarray(i * d, (i + 1) * d),
        4
      ).map((j) => others[j])
      expect(mine).toEqual(expected)
    }
  })
})

describe('neighbour label score', () => {
  it('is the share of labelled neighbours with another label; unlabelled ones and missing slots do not count', () => {
    const labels = new Map<number, string | null>([
      [1, 'happiness'],
      [2, 'sadness'],
      [3, null],
      [4, 'happiness']
    ])
    const labelOf = (id: number) => labels.get(id) ?? null
    expect(neighbourDisagreement('happiness', [1, 2, 3, 4, -1], labelOf)).toBeCloseTo(1 / 3)
    expect(neighbourDisagreement('sadness', [1, 4], labelOf)).toBe(1)
    expect(neighbourDisagreement('happiness', [3, -1], labelOf)).toBeNull()
    expect(neighbourDisagreement(null, [1, 2], labelOf)).toBeNull()
  })
})

describe('PCA map', () => {
  it('puts the direction of most spread on x, scaled to [-1, 1]', () => {
    const next = random(11)
    // Points along (1, 1, 0) with small noise: x must follow that line, y must be small.
    const n = 300
    const t = Array.from({ length: n }, next)
    const vectors = Float32Array.from(t.flatMap((ti) => [ti * 5 + next() * 0.1, ti * 5 + next() * 0.1, next() * 0.1]))
    const xy = pca2d(vectors, 3)
    const xs = Array.from({ length: n }, (_, i) => xy[2 * i])
    expect(Math.max(...xs.map(Math.abs))).toBeCloseTo(1, 6)
    const corr =
      Math.abs(xs.reduce((a, x, i) => a + x * t[i], 0)) /
      Math.sqrt(xs.reduce((a, x) => a + x * x, 0) * t.reduce((a, v) => a + v * v, 0))
    expect(corr).toBeGreaterThan(0.99)
  })
})

describe('"more like this" and the map through the API', () => {
  let ctx: AppContext
  let api: ApiHandlers
  let datasetId: number
  let ids: Map<string, number>

  beforeAll(async () => {
    ;({ ctx, api, datasetId, ids } = await rankedWithEmbeddings('pf-neighbours', [
      ['happy/a.png', 20],
      ['happy/b.png', 60],
      ['happy/c.png', 100],
      ['sad/d.png', 140],
      ['sad/e.png', 180],
      ['sad/copy-of-a.png', 20]
    ]))
  })

  afterAll(() => ctx?.db.close())

  it('answers the nearest faces, most similar first, without the face itself or its identical copy', async () => {
    const a = ids.get('happy/a.png') as number
    const found = await api.moreLikeThis({ sampleId: a, k: 3 })
    expect(found).toMatchObject({ sampleId: a, modelId: 'pfvit-micro-embed-test', embeddings: 6, missing: 0, note: null })
    expect(found.neighbours).toHaveLength(3)
    const neighbourIds = found.neighbours.map((n) => n.sampleId)
    expect(neighbourIds).not.toContain(a)
    expect(neighbourIds).not.toContain(ids.get('sad/copy-of-a.png'))
    const sims = found.neighbours.map((n) => n.similarity)
    expect([...sims].sort((x, y) => y - x)).toEqual(sims)
    expect((await api.moreLikeThis({ sampleId: a, k: 10 })).neighbours).toHaveLength(4) // 6 faces − itself − its copy
  })

  it('validates its arguments like every request', async () => {
    await expect(api.moreLikeThis({ sampleId: -1 })).rejects.toThrow(ApiError)
    await expect(api.moreLikeThis({ sampleId: 1, k: 0 })).rejects.toThrow(/k/)
    await expect(api.moreLikeThis({ sampleId: 99_999 })).rejects.toThrow(/No sample/)
  })

  it('ranks with the neighbour score, stored beside the others', async () => {
    const review = await api.getSampleReview({ sampleId: ids.get('happy/b.png') as number })
    const score = review.issue?.neighbourDisagreement
    expect(typeof score).toBe('number')
    expect(score).toBeGreaterThanOrEqual(0)
    expect(score).toBeLessThanOrEqual(1)
    const page = await api.querySamples({ datasetId, filter: {}, sort: { by: 'neighbours' }, offset: 0, limit: 10 })
    expect(page.samples).toHaveLength(6)
  })

  it('returns the 2-D map as compact arrays, one point per face, and stores it', async () => {
    const map = await api.getEmbeddingMap({ datasetId })
    const sampleIds = new Int32Array(new Uint8Array(Buffer.from(map.sampleIds, 'base64')).buffer)
    const coords = new Float32Array(new Uint8Array(Buffer.from(map.coords, 'base64')).buffer)
    expect([...sampleIds].sort((x, y) => x - y)).toEqual([...ids.values()].sort((x, y) => x - y))
    expect(coords).toHaveLength(12)
    expect(coords.every((c) => Math.abs(c) <= 1 + 1e-6)).toBe(true)
    expect((await api.getEmbeddingMap({ datasetId })).computedAt).toBe(map.computedAt) // stored, not recomputed
  })

  it('answers PCA with why a map of 6 faces gets no UMAP layout, and says nothing of UMAP until it is asked for', async () => {
    const asked = await api.getEmbeddingMap({ datasetId, method: 'umap' })
    expect(asked.method).toBe('pca')
    expect(asked.umap).toEqual({
      state: 'unavailable',
      reason: 'UMAP needs at least 12 faces with an embedding; this map has 6: it shows PCA.'
    })
    await expect(api.getEmbeddingMap({ datasetId, method: 'tsne' as 'umap' })).rejects.toThrow(/method/)
  })

  it('colours the map by label, prediction, issue score and split in map order, kept until a write, read fresh after a relabel', async () => {
    const bytes = (b64: string): number[] => [...Buffer.from(b64, 'base64')]
    const mapIds = async () => {
      const map = await api.getEmbeddingMap({ datasetId })
      return { map, order: [...new Int32Array(new Uint8Array(Buffer.from(map.sampleIds, 'base64')).buffer)] }
    }
    const { map, order } = await mapIds()
    const page = await api.querySamples({ datasetId, filter: {}, offset: 0, limit: 100 })
    const label = new Map(page.samples.map((s) => [s.id, s.currentLabel]))
    const { classes } = map.colours
    expect(bytes(map.colours.label).map((c) => classes[c] ?? null)).toEqual(order.map((id) => label.get(id)))
    expect(bytes(map.colours.prediction).every((c) => c < classes.length)).toBe(true) // every face ranked
    expect(bytes(map.colours.issueScore).every((c) => c <= 254)).toBe(true)
    expect(bytes(map.colours.split)).toHaveLength(order.length)
    // Nothing written since: the same colours, not read again.
    expect((await mapIds()).map.colours).toBe(map.colours)
    await api.setLabel({ datasetId, sampleIds: [order[0]], label: 'contempt' })
    const after = await mapIds()
    expect(after.map.colours).not.toBe(map.colours)
    expect(after.map.colours.classes[bytes(after.map.colours.label)[0]]).toBe('contempt')
    await api.undo({ datasetId })
  })

  it('says how many faces lack an embedding and that a run adds them (predictions from before the output)', async () => {
    const b = ids.get('happy/b.png') as number
    const { contentHash } = await api.getSample({ sampleId: b })
    ctx.db.prepare('DELETE FROM embeddings WHERE content_hash = ?').run(contentHash)
    const found = await api.moreLikeThis({ sampleId: ids.get('happy/a.png') as number, k: 10 })
    expect(found).toMatchObject({ embeddings: 5, missing: 1 })
    expect(found.note).toMatch(/^1 face has a prediction by pfvit-micro-embed-test but no embedding .* run the model/)
    expect(found.neighbours.map((n) => n.sampleId)).not.toContain(b)
    const lacking = await api.moreLikeThis({ sampleId: b })
    expect(lacking.neighbours).toEqual([])
    const map = await api.getEmbeddingMap({ datasetId })
    expect(map.missing).toBe(1)
    expect(Buffer.from(map.sampleIds, 'base64').byteLength).toBe(5 * 4) // recomputed: the embeddings changed
  })
})
