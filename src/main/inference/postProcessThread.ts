import { Worker } from 'node:worker_threads'
import type { ItemResult, OutputSpec, RawOutputs } from './postProcess'
import { outputBuffers, type FromPostProcess, type PostProcessSetup, type ToPostProcess } from './protocol'

interface Waiting {
  resolve: (results: ItemResult[]) => void
  reject: (err: Error) => void
}

/**
 * The runner's side of the post-processing thread (postProcessWorker.ts): hands it a batch's
 * raw outputs and resolves with the batch's results once its PNGs are in the cache. Batches are
 * processed in the order given.
 */
export class PostProcessThread {
  private readonly worker: Worker
  private readonly waiting = new Map<number, Waiting>()
  private nextId = 0
  private broken: Error | null = null
  private idle: (() => void)[] = []
  /** The thread's nice value, once it has started (null: the platform keeps priority per process). */
  readonly nice: Promise<number | null>

  constructor(workerPath: string, spec: OutputSpec, cacheDir: string) {
    this.worker = new Worker(workerPath, { workerData: { spec, cacheDir } satisfies PostProcessSetup })
    let ready: (nice: number | null) => void = () => {}
    this.nice = new Promise((resolve) => (ready = resolve))
    this.worker.on('message', (m: FromPostProcess) => {
      if (m.type === 'ready') return ready(m.nice)
      const waiting = this.waiting.get(m.id)
      if (!waiting) return
      this.waiting.delete(m.id)
      if (m.type === 'results') waiting.resolve(m.results)
      else waiting.reject(new Error(m.message))
      this.wakeIfIdle()
    })
    const fail = (err: Error): void => {
      this.broken ??= err
      ready(null)
      for (const w of this.waiting.values()) w.reject(err)
      this.waiting.clear()
      this.wakeIfIdle()
    }
    this.worker.on('error', (err) => fail(new Error(`post-processing thread crashed: ${err.message}`)))
    this.worker.on('exit', (code) => fail(new Error(`post-processing thread exited (code ${code})`)))
  }

  /** Batches handed over and not yet back. */
  get pending(): number {
    return this.waiting.size
  }

  /** The raw outputs' buffers move to the thread: `raw` is unusable here afterwards. */
  process(raw: RawOutputs): Promise<ItemResult[]> {
    if (this.broken) return Promise.reject(this.broken)
    const id = this.nextId++
    const message: ToPostProcess = { type: 'outputs', id, raw }
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      this.worker.postMessage(message, outputBuffers(raw))
    })
  }

  /** Resolves once every batch handed over is back (or the thread is gone). */
  drained(): Promise<void> {
    if (this.waiting.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idle.push(resolve))
  }

  async close(): Promise<void> {
    await this.worker.terminate()
  }

  private wakeIfIdle(): void {
    if (this.waiting.size > 0) return
    const idle = this.idle
    this.idle = []
    for (const wake of idle) wake()
  }
}
