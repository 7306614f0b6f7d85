/**
 * The UMAP layout's own thread (issue 17): minutes of arithmetic at 35,000 faces, kept off the
 * thread that serves the window and at the lowest priority, so a model run beside it keeps the cores.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { lowerOwnPriority } from '../threadPriority'
import { umapLayout, type KnnRows } from './umap'

export interface UmapJobSetup {
  knn: KnnRows
  epochs?: number
}

export type FromUmap =
  { type: 'progress'; done: number; total: number } | { type: 'done'; coords: Float32Array } | { type: 'failed'; message: string }

const port = parentPort
if (!port) throw new Error('the UMAP worker must run in a worker thread')
const post = (message: FromUmap): void => port.postMessage(message)
const { knn, epochs } = workerData as UmapJobSetup

lowerOwnPriority()
try {
  const coords = umapLayout(knn, { epochs, onProgress: (done, total) => post({ type: 'progress', done, total }) })
  port.postMessage({ type: 'done', coords } satisfies FromUmap, [coords.buffer as ArrayBuffer])
} catch (err) {
  post({ type: 'failed', message: (err as Error).message })
}
