import { createRequire } from 'node:module'
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads'
import { hexWords } from './contentPositions'
import { openOptions, type Db } from './db'

/**
 * A model's stored predictions read on a second thread while the ranking reads the dataset's
 * samples on its own (issue 19: at 1M each read takes 2.5-3 s, about 1 µs a row in better-sqlite3,
 * and this machine has two cores). The ranking is synchronous on purpose (api/ranking.ts), so the
 * thread is waited for with Atomics.wait and its answer taken with receiveMessageOnPort. Anything
 * going wrong on the thread (its driver not loading, a file it cannot open) gives null, and the
 * caller reads the predictions itself: slower, never wrong.
 */

/** Row j of a model's predictions, as columns. */
export interface PredictionColumns {
  count: number
  /** How many probabilities a row (the model's classes). */
  width: number
  /** Row j's content hash as hexWords writes it, at words[8j…]; see otherHashes. */
  words: Uint32Array
  /** The rows whose content hash is not 64 lowercase hex digits (hexWords refuses them), and their hash. */
  otherHashes: Map<number, string>
  probabilities: Float64Array
  /** NaN where the model gave no intensity. */
  intensity: Float64Array
}

/** What the thread answers: the columns' buffers, two widths met, or an error. */
type ThreadAnswer =
  | {
      count: number
      width: number
      words: ArrayBuffer
      probabilities: ArrayBuffer
      intensity: ArrayBuffer
      otherHashes: (number | string)[]
    }
  | { widths: [number, number] }
  | { error: string }

/** Long enough for any store this machine holds (1M rows: ~3 s); past it the ranking reads them itself. */
const WAIT_MS = 300_000

/**
 * The thread's program. Plain JavaScript run with `eval` (so no build step has to find a worker
 * file, in the app, the CLI or the tests), given hexWords' own source. Every path ends in finish(),
 * which the waiting thread needs to wake up.
 */
const SOURCE = `
const { workerData } = require('node:worker_threads')
const { driver, nativeBinding, file, modelId, port, done } = workerData
const hexWords = (${hexWords.toString()})
function finish(message, transfer) {
  port.postMessage(message, transfer || [])
  port.close()
  Atomics.store(done, 0, 1)
  Atomics.notify(done, 0)
}
function read() {
  const Database = require(driver)
  const db = new Database(file, nativeBinding ? { readonly: true, fileMustExist: true, nativeBinding } : { readonly: true, fileMustExist: true })
  try {
    db.pragma('busy_timeout = 5000')
    let capacity = 1 << 16
    let count = 0
    let width = 0
    let words = new Uint32Array(capacity * 8)
    let probabilities = new Float64Array(0)
    let intensity = new Float64Array(capacity)
    const otherHashes = []
    const rows = db.prepare('SELECT content_hash, probabilities, emotion_intensity FROM predictions WHERE +model_id = ?').raw().iterate(modelId)
    for (const [hash, json, value] of rows) {
      if (count === capacity) {
        capacity *= 2
        const w = new Uint32Array(capacity * 8); w.set(words); words = w
        const p = new Float64Array(capacity * width); p.set(probabilities); probabilities = p
        const i = new Float64Array(capacity); i.set(intensity); intensity = i
      }
      if (!hexWords(hash, words, count * 8)) otherHashes.push(count, hash)
      const row = JSON.parse(json)
      if (width === 0) {
        width = row.length
        probabilities = new Float64Array(capacity * width)
      }
      if (row.length !== width) return { widths: [width, row.length] }
      probabilities.set(row, count * width)
      intensity[count] = value === null ? NaN : value
      count++
    }
    return { count, width, words: words.buffer, probabilities: probabilities.buffer, intensity: intensity.buffer, otherHashes }
  } finally {
    db.close()
  }
}
try {
  const answer = read()
  finish(answer, answer.words ? [answer.words, answer.probabilities, answer.intensity] : [])
} catch (err) {
  finish({ error: String((err && err.stack) || err) })
}
`

/** A model whose stored predictions disagree on how many classes it has cannot be ranked. */
export function mixedWidths(modelId: string, first: number, other: number): Error {
  return new Error(
    `Model ${modelId} has predictions of ${first} and of ${other} classes stored. ` +
      'Remove its predictions (run it again) before ranking with it.'
  )
}

/** Starts reading the model's predictions on a second thread; finish() waits for them (null: read them yourself). */
export function readPredictionsOnThread(db: Db, modelId: string): { finish(): PredictionColumns | null } {
  const { port1, port2 } = new MessageChannel()
  const done = new Int32Array(new SharedArrayBuffer(4))
  const failed = (why: string) => {
    console.warn(`[pokerface] reading predictions on a second thread failed (${why}); reading them on one`)
    return null
  }
  let worker: Worker
  try {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3')
    const workerData = { driver, nativeBinding: openOptions(db).nativeBinding, file: db.name, modelId, port: port2, done }
    worker = new Worker(SOURCE, { eval: true, workerData, transferList: [port2] })
  } catch (err) {
    port1.close()
    return { finish: () => failed((err as Error).message) }
  }
  worker.unref()
  // Errors are the thread's answer (finish() reports them); this only keeps one from being thrown here.
  worker.on('error', () => {})
  return {
    finish() {
      const waited = Atomics.wait(done, 0, 0, WAIT_MS)
      const answer = receiveMessageOnPort(port1)?.message as ThreadAnswer | undefined
      port1.close()
      if (waited === 'timed-out' || !answer) {
        void worker.terminate()
        return failed(`no answer within ${WAIT_MS / 1000} s`)
      }
      if ('widths' in answer) throw mixedWidths(modelId, answer.widths[0], answer.widths[1])
      if ('error' in answer) return failed(answer.error.split('\n')[0])
      const { count, width } = answer
      const otherHashes = new Map<number, string>()
      for (let k = 0; k < answer.otherHashes.length; k += 2)
        otherHashes.set(answer.otherHashes[k] as number, answer.otherHashes[k + 1] as string)
      return {
        count,
        width,
        words: new Uint32Array(answer.words, 0, count * 8),
        otherHashes,
        probabilities: new Float64Array(answer.probabilities, 0, count * width),
        intensity: new Float64Array(answer.intensity, 0, count)
      }
    }
  }
}
