import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { InferenceJobStatus, ModelInfo } from '@shared/inference'
import type { Split } from '@shared/splits'
import type { Db } from '../store/db'
import { datasetRoot } from '../store/datasets'
import { pendingImages, storeResults, type PendingImage } from '../store/predictions'
import { nowIso } from '../store/db'
import { prepareBatch, type InferenceItem } from './engine'
import type { ItemResult } from './postProcess'
import { PostProcessThread } from './postProcessThread'
import { imageSources } from './imageSource'
import type { Normalisation } from '../vision/preprocess'
import { ModelContractError } from './model'
import type { FromWorker, ToWorker } from './protocol'
import type { ProviderChoice } from './providers'
import type { ShardSpec } from '../cluster/shard'

export interface JobOptions {
  datasetId: number
  model: ModelInfo
  provider: ProviderChoice
  threads?: number
  batchSize: number
  generate: boolean
  split?: Split
  /** A cluster task's slice of the images (cluster/shard.ts); all of them when absent. */
  shard?: ShardSpec
  cacheDir: string
  /** The built worker threads (out/main): inferenceWorker.js and postProcessWorker.js. */
  workersDir: string
  /** What the run's start found to say (stored results discarded…), kept first among its warnings. */
  startWarnings?: string[]
}

/** How long a worker may take to finish its current batch after being asked to stop. */
const STOP_TIMEOUT_MS = 30_000

/** Batches in flight at once: one running in the worker, the next ones decoding here. */
const IN_FLIGHT = 3

/**
 * Batches waiting for the post-processing thread before decoding pauses. That thread runs only
 * in time the model leaves free; on a machine busy with other work it may fall behind, and the
 * raw outputs (~10 MB a batch of 16 with generation) must not pile up meanwhile.
 */
const POST_BACKLOG = 3

/** Images per second over a sliding window, so the ETA follows the current speed. */
class RateMeter {
  private marks: { t: number; n: number }[] = []
  add(n: number): void {
    const t = performance.now()
    this.marks.push({ t, n })
    while (this.marks.length > 2 && t - this.marks[0].t > 10_000) this.marks.shift()
  }
  rate(): number {
    if (this.marks.length < 2) return 0
    const first = this.marks[0]
    const last = this.marks[this.marks.length - 1]
    const n = this.marks.slice(1).reduce((a, m) => a + m.n, 0)
    return last.t > first.t ? (n * 1000) / (last.t - first.t) : 0
  }
}

/**
 * One inference run over a dataset: only the images with no stored result for this model are
 * sent to a worker thread, and each batch's results are stored in one transaction as they come,
 * so cancelling or killing the process loses at most the batches in flight.
 */
export class InferenceJob {
  readonly status: InferenceJobStatus
  private worker: Worker | null = null
  private post: PostProcessThread | null = null
  private finished: Promise<InferenceJobStatus>
  private settle: (s: InferenceJobStatus) => void = () => {}

  constructor(
    private readonly db: Db,
    jobId: number,
    /** Public so the review can rank with the model a run used, the moment it finishes. */
    readonly options: JobOptions,
    private readonly onProgress: (status: InferenceJobStatus) => void
  ) {
    this.status = {
      jobId,
      datasetId: options.datasetId,
      modelId: options.model.id,
      state: 'starting',
      total: 0,
      alreadyDone: 0,
      done: 0,
      failed: 0,
      imagesPerSecond: 0,
      etaSeconds: null,
      provider: null,
      threads: null,
      batchSize: options.batchSize,
      warnings: [...(options.startWarnings ?? [])],
      message: null,
      startedAt: nowIso(),
      modelReadyAt: null,
      finishedAt: null
    }
    this.finished = new Promise((resolve) => (this.settle = resolve))
  }

  get model(): ModelInfo {
    return this.options.model
  }

  /** Resolves when the run ends, whatever the outcome; the status says which. */
  get done(): Promise<InferenceJobStatus> {
    return this.finished
  }

  start(): Promise<InferenceJobStatus> {
    this.run().catch((err) => this.finish('failed', err instanceof Error ? err.message : String(err)))
    return this.finished
  }

  cancel(): void {
    if (this.status.state === 'starting' || this.status.state === 'running') this.finish('cancelled', 'Cancelled')
  }

  private emit(): void {
    this.onProgress({ ...this.status, warnings: [...this.status.warnings] })
  }

  private finish(state: 'done' | 'cancelled' | 'failed', message: string | null): void {
    if (this.status.finishedAt) return
    const worker = this.worker
    this.worker = null
    Object.assign(this.status, { state, message, finishedAt: nowIso(), etaSeconds: state === 'done' ? 0 : null })
    this.emit()
    // Settled after the threads stop, so the batches stored meanwhile are in the final count.
    void this.stopThreads(worker).finally(() => this.settle({ ...this.status, warnings: [...this.status.warnings] }))
  }

  /** Stores a batch and counts it: `done` is what this run stored, also after a cancel (F6). */
  private store(results: ItemResult[]): void {
    storeResults(this.db, this.options.model.id, this.options.model.classes, results)
    this.status.done += results.length
    this.status.failed += results.filter((r) => !r.ok).length
  }

  /**
   * The status says "cancelled" at once, but the worker is asked to stop rather than killed:
   * terminating a thread inside onnxruntime's run() can take the whole process down. It stops
   * after the batch it is running (a fraction of a second); that batch's results, and those of
   * batches already with the post-processing thread, are still stored. The job ends after that.
   */
  private async stopThreads(worker: Worker | null): Promise<void> {
    if (worker) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, STOP_TIMEOUT_MS)
        const stopped = (): void => {
          clearTimeout(timer)
          resolve()
        }
        worker.on('message', (m: FromWorker) => m.type === 'stopped' && stopped())
        worker.once('exit', stopped)
        worker.postMessage({ type: 'stop' } satisfies ToWorker)
      })
      await worker.terminate()
    }
    const post = this.post
    this.post = null
    if (post) {
      await post.drained()
      await post.close()
    }
  }

  private async run(): Promise<void> {
    const { datasetId, model } = this.options
    const root = datasetRoot(this.db, datasetId)
    if (!root) throw new Error(`No dataset with id ${datasetId}`)
    const { pending, total } = pendingImages(this.db, datasetId, model.id, {
      needGenerated: this.options.generate && model.generates,
      split: this.options.split ?? null,
      shard: this.options.shard ?? null,
      needEmbedding: model.embeddingWidth != null
    })
    Object.assign(this.status, { total, alreadyDone: total - pending.length })
    this.emit()
    if (pending.length === 0) return this.finish('done', 'Nothing to do: every image already has a result for this model')

    // Sources are resolved batch by batch as they are sent: FER2013 rows' pixels are read then,
    // not all at once before the run starts.
    const sourceOf = imageSources(this.db, datasetId, root)
    const source = async (p: PendingImage): Promise<InferenceItem> => ({ hash: p.hash, source: sourceOf(p) })

    const worker = new Worker(join(this.options.workersDir, 'inferenceWorker.js'))
    this.worker = worker
    const send = (m: ToWorker): void =>
      m.type === 'batch' ? worker.postMessage(m, [m.batch.tensor.buffer as ArrayBuffer]) : worker.postMessage(m)
    let input: Normalisation | null = null
    const meter = new RateMeter()
    let next = 0
    let inFlight = 0
    let batchId = 0

    const backlog = (): number => this.post?.pending ?? 0
    const pump = (): void => {
      while (inFlight < IN_FLIGHT && backlog() < POST_BACKLOG && next < pending.length && this.status.state === 'running') {
        const batch = pending.slice(next, next + this.options.batchSize)
        next += batch.length
        inFlight++
        const id = batchId++
        Promise.all(batch.map(source))
          .then((items) => prepareBatch(items, input as Normalisation))
          .then(
            (prepared) => {
              if (this.worker === worker) send({ type: 'batch', id, batch: prepared })
            },
            (err: Error) => this.finish('failed', `cannot read images: ${err.message}`)
          )
      }
      if (inFlight === 0 && backlog() === 0 && next >= pending.length) this.finish('done', null)
    }

    worker.on('message', (m: FromWorker) => {
      if (this.status.finishedAt) {
        // A batch that was running when the run was cancelled: its work is kept all the same.
        if (m.type === 'outputs' && this.post)
          this.post
            .process(m.raw)
            .then((results) => this.store(results))
            .catch(() => {}) // the run has already ended with its own message
        return
      }
      if (m.type === 'fatal') {
        this.finish('failed', m.problems ? new ModelContractError(model.folder, m.problems).message : m.message)
      } else if (m.type === 'ready') {
        input = m.input
        const spec = { modelId: model.id, classes: model.classes, input: m.input }
        this.post = new PostProcessThread(join(this.options.workersDir, 'postProcessWorker.js'), spec, this.options.cacheDir)
        Object.assign(this.status, {
          state: 'running',
          provider: m.provider,
          threads: m.threads,
          warnings: [...(this.options.startWarnings ?? []), ...m.warnings],
          modelReadyAt: nowIso()
        })
        this.emit()
        pump()
      } else if (m.type === 'outputs' && this.post) {
        inFlight--
        this.post
          .process(m.raw)
          .then((results) => {
            this.store(results)
            if (this.status.finishedAt) return
            meter.add(results.length)
            const rate = meter.rate()
            const left = pending.length - this.status.done
            Object.assign(this.status, {
              imagesPerSecond: Math.round(rate * 10) / 10,
              etaSeconds: rate > 0 ? Math.round(left / rate) : null
            })
            this.emit()
            pump()
          })
          .catch((err: Error) => this.finish('failed', `cannot store results: ${err.message}`))
        pump() // the worker can start the next batch while this one is turned into results
      }
    })
    // A worker that crashed or exited has nothing left to stop: forget it before finishing.
    worker.on('error', (err) => {
      if (this.worker === worker) this.worker = null
      this.finish('failed', `inference worker crashed: ${err.message}`)
    })
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = null
      if (!this.status.finishedAt) this.finish('failed', `inference worker exited unexpectedly (code ${code})`)
    })
    send({
      type: 'init',
      folder: model.folder,
      cacheDir: this.options.cacheDir,
      provider: this.options.provider,
      threads: this.options.threads,
      generate: this.options.generate
    })
  }
}
