// Issue 17: the inference run stores each image's classifier embedding beside its prediction, keyed
// the same way (content hash, model id), so a run resumes and a model without the output still runs.
// Real graphs (the micro fixtures, with and without `embedding`), real images, real SQLite.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeContext, createContext, type AppContext } from '@main/api/context'
import { InferenceEngine } from '@main/inference/engine'
import { loadModel, releaseModel } from '@main/inference/model'
import { datasetEmbeddings } from '@main/store/embeddings'
import { pendingImages, storeResults } from '@main/store/predictions'
import { tempDir, writePng } from '../helpers/data'
import { MICRO_EMBED_MODEL, MICRO_MODEL } from '../helpers/models'
import { behindEdge } from '@main/api/edge'
import { createApiHandlers } from '@main/api/service'

async function runModel(ctx: AppContext, datasetId: number, folder: string, root: string): Promise<void> {
  const model = await loadModel(folder, { provider: 'cpu', threads: 1, generate: false })
  try {
    const { pending } = pendingImages(ctx.db, datasetId, model.manifest.id, { needEmbedding: true })
    const engine = new InferenceEngine(model, join(ctx.dataDir, 'cache'))
    const items = pending.map((p) => ({ hash: p.hash, source: join(root, p.relPath) }))
    const results = await engine.infer(await engine.prepare(items)).results
    storeResults(ctx.db, model.manifest.id, model.manifest.classes, results)
  } finally {
    await releaseModel(model)
  }
}

describe('stored embeddings', () => {
  let ctx: AppContext
  let root: string
  let datasetId: number

  beforeAll(async () => {
    root = await tempDir('pf-embed-')
    // Two identical files: one content hash, one vector, shared by both samples.
    for (const [path, shade] of [
      ['happy/a.png', 30],
      ['happy/b.png', 200],
      ['sad/c.png', 90],
      ['sad/copy-of-a.png', 30]
    ] as const)
      await writePng(join(root, path), shade)
    ctx = createContext(await tempDir('pf-embed-home-'), '0.0.0')
    const api = behindEdge(createApiHandlers(ctx))
    datasetId = (await api.openDataset({ root })).dataset.id
  })

  afterAll(async () => {
    if (ctx) await closeContext(ctx)
  })

  it('stores one float32 vector per image for a model with the output, as wide as the graph says', async () => {
    await runModel(ctx, datasetId, MICRO_EMBED_MODEL, root)
    const stored = datasetEmbeddings(ctx.db, datasetId, 'pfvit-micro-embed-test')
    expect(stored.dim).toBe(32)
    expect(stored.sampleIds).toHaveLength(4)
    expect(stored.missing).toBe(0)
    const row = (i: number) => Array.from(stored.vectors.subarray(i * 32, (i + 1) * 32))
    const byHash = new Map<string, number[]>()
    stored.hashes.forEach((h, i) => (byHash.has(h) ? expect(row(i)).toEqual(byHash.get(h)) : byHash.set(h, row(i))))
    expect(byHash.size).toBe(3)
    expect(row(0).every(Number.isFinite)).toBe(true)
    expect(row(0)).not.toEqual(row(1)) // different faces, different vectors
  })

  it('resumes: nothing is pending once every image has its prediction and embedding', () => {
    expect(pendingImages(ctx.db, datasetId, 'pfvit-micro-embed-test', { needEmbedding: true }).pending).toEqual([])
  })

  it('a model without the output stores predictions only, and says the embeddings are missing', async () => {
    await runModel(ctx, datasetId, MICRO_MODEL, root)
    const stored = datasetEmbeddings(ctx.db, datasetId, 'pfvit-micro-test')
    expect(stored.sampleIds).toHaveLength(0)
    expect(stored.missing).toBe(4)
  })

  it('predictions stored without an embedding are pending again for a model that gives one', () => {
    ctx.db.prepare("DELETE FROM embeddings WHERE model_id = 'pfvit-micro-embed-test'").run()
    const again = pendingImages(ctx.db, datasetId, 'pfvit-micro-embed-test', { needEmbedding: true })
    expect(again.pending).toHaveLength(3) // distinct images
    expect(datasetEmbeddings(ctx.db, datasetId, 'pfvit-micro-embed-test').missing).toBe(4)
    expect(pendingImages(ctx.db, datasetId, 'pfvit-micro-embed-test', { needEmbedding: false }).pending).toEqual([])
  })
})
