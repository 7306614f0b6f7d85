/**
 * The embedding requests (issue 17): "more like this", the 2-D map, and keeping the neighbour lists
 * behind the neighbour label score up to date after runs.
 */
import { ApiError, type ApiHandlers, type EmbeddingCoverage } from '@shared/api'
import { sortLabels } from '@shared/emotions'
import type { ModelInfo } from '@shared/inference'
import { packMapColours, type MapColours } from '@shared/mapColours'
import { SPLITS } from '@shared/splits'
import { embeddingCount, moreLikeThis, refreshNeighbourLists } from '../neighbours/service'
import { pca2d } from '../neighbours/pca'
import { datasetEmbeddings, embeddingCounts } from '../store/embeddings'
import { embeddingMap, mapColourFacts, saveEmbeddingMap } from '../store/neighbours'
import { mostPredictedModel, rankingSummary } from '../store/review'
import { getSampleRow } from '../store/samples'
import { datasetRoot } from '../store/datasets'
import { untilWrite } from '../store/untilWrite'
import type { AppContext } from './context'
import { rankDataset } from './ranking'
import { umapStatus } from './umapLayouts'

const DEFAULT_K = 24

function coverage(ctx: AppContext, datasetId: number, modelId: string): EmbeddingCoverage {
  const { missing, embeddings } = embeddingCounts(ctx.db, datasetId, modelId)
  const note =
    missing === 0
      ? null
      : `${missing.toLocaleString('en')} ${missing === 1 ? 'face has a prediction' : 'faces have predictions'} by ${modelId} but no embedding (made before the model ` +
        'gave one, or by a model without that output): run the model on this dataset again — a model with the output ' +
        'computes only those faces — to include them.'
  return { modelId, embeddings, missing, note }
}

function modelFor(ctx: AppContext, datasetId: number, modelId: string | undefined): string {
  const id = modelId ?? rankingSummary(ctx.db, datasetId)?.modelId ?? mostPredictedModel(ctx.db, datasetId)
  if (!id) throw new ApiError('bad_request', 'No predictions for this dataset yet: run a model first.')
  return id
}

const b64 = (a: Int32Array | Float32Array | Uint8Array): string =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64')

/**
 * The map's colours, in the map's order, read again after any write (labels change with every key
 * press; the layout only with a run) and kept until one: at 1M faces reading them is most of a
 * request's seconds, and going back to the map from a lasso's grid writes nothing.
 */
function colours(
  ctx: AppContext,
  datasetId: number,
  modelId: string,
  map: { sampleIds: Int32Array; computedAt: string }
): MapColours {
  return untilWrite(ctx.db, `mapColours:${datasetId}:${modelId}:${map.computedAt}:${map.sampleIds.length}`, () => {
    const { faces, names } = mapColourFacts(ctx.db, datasetId, map.sampleIds)
    const splits = SPLITS.filter((split) => faces.some((f) => f?.split === split))
    return packMapColours(faces, sortLabels(names), splits, b64)
  })
}

/** One neighbour-list computation per dataset and model at a time; callers share it. */
const inFlight = new WeakMap<AppContext, Map<string, Promise<boolean>>>()

/** Computes the dataset's neighbour lists for the model if they are missing or stale; true when it did. */
export function updateNeighbourLists(ctx: AppContext, datasetId: number, modelId: string): Promise<boolean> {
  const running = inFlight.get(ctx) ?? new Map<string, Promise<boolean>>()
  inFlight.set(ctx, running)
  const key = `${datasetId}\u0000${modelId}`
  const existing = running.get(key)
  if (existing) return existing
  const job = refreshNeighbourLists(ctx.db, datasetId, modelId).finally(() => running.delete(key))
  running.set(key, job)
  return job
}

/**
 * After a run's ranking (api/review.ts): find the neighbours, then rank again with the neighbour
 * score, telling listeners as any ranking does. Runs after the run's end on purpose: the search
 * takes seconds at 35k faces, and the grid can open on the ranking meanwhile.
 */
export function neighboursAfterRun(
  ctx: AppContext,
  datasetId: number,
  model: Pick<ModelInfo, 'id' | 'classes' | 'folder'>
): Promise<void> {
  return updateNeighbourLists(ctx, datasetId, model.id).then(
    (computed) => {
      const summary = computed ? rankDataset(ctx.db, datasetId, model) : null
      if (summary) ctx.events.emit('labelIssuesRanked', summary)
    },
    (err: Error) => console.error('[pokerface] finding nearest neighbours failed:', err)
  )
}

/** Whatever neighbour search is running for the dataset, finished (the CLI waits for it before it exits). */
export async function neighboursSettled(ctx: AppContext, datasetId: number): Promise<void> {
  const running = inFlight.get(ctx)
  if (!running) return
  await Promise.all([...running].filter(([key]) => key.startsWith(`${datasetId}\u0000`)).map(([, p]) => p.catch(() => false)))
}

export function createNeighbourHandlers(ctx: AppContext): Pick<ApiHandlers, 'moreLikeThis' | 'getEmbeddingMap'> {
  return {
    async moreLikeThis({ sampleId, k, modelId }) {
      const sample = getSampleRow(ctx.db, sampleId)
      if (!sample) throw new ApiError('not_found', `No sample with id ${sampleId}`)
      const id = modelFor(ctx, sample.datasetId, modelId)
      const neighbours = await moreLikeThis(ctx.db, sample.datasetId, id, sampleId, k ?? DEFAULT_K)
      const cover = coverage(ctx, sample.datasetId, id)
      if (neighbours === null && cover.missing === 0)
        throw new ApiError('bad_request', `This face has no prediction by ${id} yet: run the model on the dataset first.`)
      return { ...cover, sampleId, neighbours: neighbours ?? [] }
    },

    async getEmbeddingMap({ datasetId, modelId, method }) {
      if (datasetRoot(ctx.db, datasetId) === null)
        throw new ApiError('not_found', `No dataset with id ${datasetId}. Open its folder again.`)
      const id = modelFor(ctx, datasetId, modelId)
      const count = embeddingCount(ctx.db, datasetId, id)
      // Asked for UMAP: started if it is not stored or on its way; PCA answers until it is ready.
      const umap = umapStatus(ctx, datasetId, id, count, method === 'umap', () => updateNeighbourLists(ctx, datasetId, id))
      let map = umap.state === 'ready' && method === 'umap' ? embeddingMap(ctx.db, datasetId, id, 'umap') : null
      if (!map) map = embeddingMap(ctx.db, datasetId, id, 'pca')
      if (!map || map.embeddings !== count) {
        const stored = datasetEmbeddings(ctx.db, datasetId, id)
        saveEmbeddingMap(ctx.db, datasetId, id, {
          method: 'pca',
          sampleIds: stored.sampleIds,
          coords: pca2d(stored.vectors, stored.dim),
          embeddings: count
        })
        map = embeddingMap(ctx.db, datasetId, id, 'pca')
      }
      if (!map) throw new ApiError('internal', 'the embedding map could not be stored')
      return {
        ...coverage(ctx, datasetId, id),
        method: map.method,
        umap,
        sampleIds: b64(map.sampleIds),
        coords: b64(map.coords),
        computedAt: map.computedAt,
        colours: colours(ctx, datasetId, id, map)
      }
    }
  }
}
