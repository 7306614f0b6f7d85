/**
 * The post-processing thread: turns each batch's raw outputs into results and cache PNGs while
 * the inference worker runs the next batch.
 *
 * It runs at the lowest priority so that the scheduler gives it the time onnxruntime leaves on the
 * cores (its two threads keep ~1.75 of 2 busy) rather than time taken from the model: on the
 * runner's thread at normal priority this work slowed onnxruntime's batches from ~140 to ~160–190
 * ms (#5; per-batch timings from instrumentation that was not kept). Against the same thread at
 * normal priority the difference was inside this shared machine's noise: nice 19 ÷ nice 0 per round
 * 0.99–1.09 over 4 rounds of a one-off copy of scripts/bench-infer.mjs that alternated the two (not
 * kept). The priority stays because it can only leave the model more of the CPU.
 * Reading and decoding images stay on the runner's thread at normal priority, so the model is
 * never left waiting for input. Off the runner's thread, this work also no longer delays the
 * Electron main process, which serves the window.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { lowerOwnPriority } from '../threadPriority'
import { postProcess } from './postProcess'
import type { FromPostProcess, PostProcessSetup, ToPostProcess } from './protocol'

const port = parentPort
if (!port) throw new Error('the post-processing worker must run in a worker thread')
const post = (message: FromPostProcess): void => port.postMessage(message)
const { spec, cacheDir } = workerData as PostProcessSetup

post({ type: 'ready', nice: lowerOwnPriority() })

port.on('message', (m: ToPostProcess) => {
  try {
    post({ type: 'results', id: m.id, results: postProcess(m.raw, spec, cacheDir) })
  } catch (err) {
    post({ type: 'failed', id: m.id, message: (err as Error).message })
  }
})
