/**
 * The embedding map's UMAP layouts (issue 17), computed on request in a worker thread
 * (neighbours/umapWorker.ts) and stored beside the PCA one: a map asked for as UMAP is answered at
 * once with PCA and how far UMAP has got, then with UMAP once it is stored. Like every stored map,
 * a layout made from another number of embeddings is stale and computed again.
 */
import { Worker } from 'node:worker_threads'
import { join } from 'node:path'
import type { UmapStatus } from '@shared/api'
import { embeddingCount, SIGNAL_NEIGHBOURS } from '../neighbours/service'
import { knnRows, minUmapFaces } from '../neighbours/umap'
import type { FromUmap, UmapJobSetup } from '../neighbours/umapWorker'
import { neighbourLists, saveEmbeddingMap, storedMapEmbeddings } from '../store/neighbours'
import type { AppContext } from './context'

/**
 * Most faces a UMAP layout is computed for. 35,710 faces took 64 s on two cores (`npm run bench:ui`,
 * neighbour lists included); umap-js's time grows with the faces and it keeps an object per graph
 * edge in a string-keyed map (11 a face), so a million would take about half an hour at that rate, and gigabytes:
 * there the map stays PCA, and says why.
 */
export const UMAP_MAX_FACES = 100_000

interface Job {
  /** The embeddings the layout is made from: a job for another count is stale. */
  embeddings: number
  done: number
  total: number
  failed: string | null
  worker: Worker | null
}

const jobs = new WeakMap<AppContext, Map<string, Job>>()

function jobsOf(ctx: AppContext): Map<string, Job> {
  const running = jobs.get(ctx) ?? new Map<string, Job>()
  jobs.set(ctx, running)
  return running
}

/**
 * Where the dataset's UMAP layout for the model stands, for `count` embeddings (the caller's
 * embeddingCount); `start` begins computing it when it is neither stored nor on its way.
 * `ensureNeighbours` brings the stored neighbour lists up to date (api/neighbours.ts's
 * updateNeighbourLists): UMAP starts from them.
 */
export function umapStatus(
  ctx: AppContext,
  datasetId: number,
  modelId: string,
  count: number,
  start: boolean,
  ensureNeighbours: () => Promise<unknown>
): UmapStatus {
  if (storedMapEmbeddings(ctx.db, datasetId, modelId, 'umap') === count) return { state: 'ready' }
  if (count > UMAP_MAX_FACES)
    return {
      state: 'unavailable',
      reason: `UMAP is computed for up to ${UMAP_MAX_FACES.toLocaleString('en')} faces (about a minute for 35,000 on two cores, and memory that grows with them); this map has ${count.toLocaleString('en')}: it shows PCA.`
    }
  if (count < minUmapFaces(SIGNAL_NEIGHBOURS))
    return {
      state: 'unavailable',
      reason: `UMAP needs at least ${minUmapFaces(SIGNAL_NEIGHBOURS)} faces with an embedding; this map has ${count}: it shows PCA.`
    }
  const key = `${datasetId}\u0000${modelId}`
  const running = jobsOf(ctx)
  const job = running.get(key)
  if (job && job.embeddings === count) {
    if (job.failed) return { state: 'failed', reason: `UMAP failed: ${job.failed}` }
    return { state: 'computing', done: job.done, total: job.total }
  }
  if (!start) return { state: 'not computed' }
  job?.worker?.terminate()
  const fresh: Job = { embeddings: count, done: 0, total: 0, failed: null, worker: null }
  running.set(key, fresh)
  void ensureNeighbours()
    .then(() => runJob(ctx, datasetId, modelId, fresh))
    .then(
      // Stored (or stale already): the stored map or a new job answers from now on.
      () => void (running.get(key) === fresh && running.delete(key)),
      // Kept, so the failure is said rather than tried again at every request, until the embeddings change.
      (err: Error) => void (fresh.failed = err.message)
    )
    .finally(() => (fresh.worker = null))
  return { state: 'computing', done: 0, total: 0 }
}

/** Computes the layout in a worker from the stored neighbour lists and stores it. */
function runJob(ctx: AppContext, datasetId: number, modelId: string, job: Job): Promise<void> {
  const lists = neighbourLists(ctx.db, datasetId, modelId)
  if (!lists || lists.embeddings !== job.embeddings)
    throw new Error('the nearest neighbours it starts from are not stored for these embeddings; run the model again')
  // Enough faces: umapStatus checked the count these lists were made from.
  const knn = knnRows(lists, lists.sampleIds)
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(ctx.workersDir, 'umapWorker.js'), { workerData: { knn } satisfies UmapJobSetup })
    // A layout still being computed does not keep a finished command's process alive.
    worker.unref()
    job.worker = worker
    worker.on('message', (m: FromUmap) => {
      if (m.type === 'progress') [job.done, job.total] = [m.done, m.total]
      else if (m.type === 'failed') reject(new Error(m.message))
      else {
        try {
          // The embeddings changed meanwhile (a run): this layout is stale, the next request starts again.
          if (embeddingCount(ctx.db, datasetId, modelId) === job.embeddings)
            saveEmbeddingMap(ctx.db, datasetId, modelId, {
              method: 'umap',
              sampleIds: lists.sampleIds,
              coords: m.coords,
              embeddings: job.embeddings
            })
          resolve()
        } catch (err) {
          // The store closed under it (the app quitting) or refused the write: said, not thrown here.
          reject(err as Error)
        }
      }
    })
    worker.on('error', reject)
    worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the UMAP thread stopped (code ${code})`))))
  })
}

/** Stops every layout being computed for this context (it is closing). */
export function stopUmapLayouts(ctx: AppContext): void {
  for (const job of jobsOf(ctx).values()) void job.worker?.terminate()
  jobs.delete(ctx)
}
