/**
 * The inference worker thread. onnxruntime-node's run() blocks the thread it runs on, so the
 * model never runs on the thread that serves the window or the HTTP API. It receives decoded
 * batches from the runner (which decodes batch k+1 while this thread runs batch k) and runs them
 * one after another, handing back the raw outputs: turning them into results and PNGs happens on
 * the post-processing thread while this one runs the next batch.
 */
import { parentPort } from 'node:worker_threads'
import { InferenceEngine } from './engine'
import { loadModel, ModelContractError } from './model'
import { outputBuffers, type FromWorker, type ToWorker } from './protocol'

const port = parentPort
if (!port) throw new Error('inference worker must run in a worker thread')
const post = (message: FromWorker): void => port.postMessage(message)

let engine: InferenceEngine | null = null
let queue: Promise<void> = Promise.resolve()
let stopping = false

port.on('message', (message: ToWorker) => {
  if (message.type === 'init') {
    loadModel(message.folder, { provider: message.provider, threads: message.threads, generate: message.generate }).then(
      (model) => {
        engine = new InferenceEngine(model, message.cacheDir)
        post({
          type: 'ready',
          provider: model.provider,
          threads: model.threads,
          warnings: model.warnings,
          modelId: model.manifest.id,
          generates: !!model.generate,
          input: model.manifest.input
        })
      },
      (err: Error) =>
        post({ type: 'fatal', message: err.message, problems: err instanceof ModelContractError ? err.problems : undefined })
    )
    return
  }
  if (message.type === 'stop') {
    stopping = true
    queue = queue.then(() => post({ type: 'stopped' }))
    return
  }
  const current = engine
  if (!current) return post({ type: 'fatal', message: 'batch before the model was loaded' })
  queue = queue.then(async () => {
    if (stopping) return
    try {
      const raw = await current.runModel(message.batch)
      port.postMessage({ type: 'outputs', id: message.id, raw } satisfies FromWorker, outputBuffers(raw))
    } catch (err) {
      post({ type: 'fatal', message: `inference failed: ${(err as Error).message}` })
    }
  })
})
