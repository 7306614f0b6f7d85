import { join } from 'node:path'
import type { ApiHandlers } from '@shared/api'
import { createContext, type AppContext } from '@main/api/context'
import { behindEdge } from '@main/api/edge'
import { createApiHandlers } from '@main/api/service'
import { InferenceEngine } from '@main/inference/engine'
import { loadModel, releaseModel } from '@main/inference/model'
import { pendingImages, storeResults } from '@main/store/predictions'
import { tempDir, writePng } from './data'
import { MICRO_EMBED_MODEL } from './models'

export interface EmbeddedStore {
  ctx: AppContext
  api: ApiHandlers
  datasetId: number
  /** Sample id by relative path. */
  ids: Map<string, number>
}

/**
 * A folder of flat grey PNGs (path → shade), opened through the real API, run in process through
 * the micro model that outputs embeddings (real ONNX, stored as a run stores them) and ranked:
 * what the neighbour and odd-image scores read. The caller closes `ctx.db`.
 */
export async function rankedWithEmbeddings(prefix: string, shades: [relPath: string, shade: number][]): Promise<EmbeddedStore> {
  const root = await tempDir(`${prefix}-`)
  for (const [relPath, shade] of shades) await writePng(join(root, relPath), shade)
  const ctx = createContext(await tempDir(`${prefix}-home-`), '0.0.0')
  const api = behindEdge(createApiHandlers(ctx))
  const datasetId = (await api.openDataset({ root })).dataset.id
  const ids = new Map<string, number>()
  for (const s of (await api.querySamples({ datasetId, filter: {}, offset: 0, limit: 100 })).samples) ids.set(s.relPath, s.id)
  const info = await api.addModel({ folder: MICRO_EMBED_MODEL })
  const model = await loadModel(MICRO_EMBED_MODEL, { provider: 'cpu', threads: 1, generate: false })
  try {
    const { pending } = pendingImages(ctx.db, datasetId, info.id, { needEmbedding: true })
    const engine = new InferenceEngine(model, join(ctx.dataDir, 'cache'))
    const prepared = await engine.prepare(pending.map((p) => ({ hash: p.hash, source: join(root, p.relPath) })))
    const results = await engine.infer(prepared).results
    storeResults(ctx.db, info.id, info.classes, results)
  } finally {
    await releaseModel(model)
  }
  await api.rankLabelIssues({ datasetId, modelId: info.id })
  return { ctx, api, datasetId, ids }
}
