/**
 * What a batch's raw model outputs become: stored results (probabilities, attention grid,
 * emotion intensity) and one PNG sheet per image in the cache. Plain JavaScript and zlib, no
 * onnxruntime: it runs on its own low-priority thread (postProcessWorker.ts) beside the model.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { GENERATE_OUTPUTS, softmax } from '@shared/models'
import { generatedSheetPath } from '../media/sheetLayout'
import { encodeScanlines } from '../vision/pngEncode'
import type { Normalisation } from '../vision/preprocess'
import { sheetScanlines } from '../vision/sheet'
import { emotionIntensity } from '../review/intensity'

export type ItemResult =
  | {
      hash: string
      ok: true
      probabilities: number[]
      predicted: number
      confidence: number
      /** [CLS] attention rollout over the g × g patch grid, row-major. */
      attention: number[]
      generated: boolean
      /** Mean |face − poker face| in pixel units (0..1), for the label-issue ranking; null without generation. */
      intensity: number | null
      /** The classifier's [CLS] embedding (model contract, optional output); null when the graph has none. */
      embedding?: Float32Array | null
    }
  | { hash: string; ok: false; reason: string }

/** Cache folders known to exist: a run writes thousands of sheets into 256 of them. */
const madeDirs = new Set<string>()

/**
 * Writes a cache file through a temporary name, so a reader never sees half a sheet. No fsync:
 * a sheet lost in a crash is regenerated, because its result is stored only after the write.
 * Synchronous on purpose: the cache is the app's own local folder, and the asynchronous open,
 * write, close and rename hand each file four times to libuv's threads and back. One-off
 * measurements on 1,023 faces: asynchronous writes cost ~0.8 ms of CPU per image (a run with and
 * without them, CPU time per thread from /proc), synchronous ones 0.44–0.50 ms — CPU the model's
 * two cores pay for. Dataset images, which may sit on a slow network share, are still read
 * asynchronously.
 */
function writeCacheFile(path: string, bytes: Buffer): void {
  const dir = dirname(path)
  if (!madeDirs.has(dir)) {
    mkdirSync(dir, { recursive: true })
    madeDirs.add(dir)
  }
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  try {
    writeFileSync(tmp, bytes)
    renameSync(tmp, path)
  } catch (err) {
    rmSync(tmp, { force: true }) // a full disk must not leave half-written temporaries behind
    throw err
  }
}

/** What the graphs return for a batch, as plain arrays that can cross to another thread. */
export interface RawOutputs {
  decoded: string[]
  failed: ItemResult[]
  /** The batch's input tensor, kept for the emotion intensity (|face − poker face|). */
  input: Float32Array
  logits: Float32Array
  attention: Float32Array
  /** Cells of the attention grid per image (g·g). */
  attentionCells: number
  /** [N,D] embeddings, row-major, when classify.onnx has the optional output; null otherwise. */
  embedding?: Float32Array | null
  embeddingWidth?: number
  /** reconstruction, poker_face, emotion_component in GENERATE_OUTPUTS order; null when not generating. */
  generated: Float32Array[] | null
}

/** The model facts post-processing needs. */
export interface OutputSpec {
  modelId: string
  classes: readonly string[]
  input: Normalisation
}

/**
 * Turns a batch's raw outputs into stored results: probabilities, the attention grid, the
 * emotion intensity, and one PNG sheet per image (reconstruction | poker face | emotion
 * component). Runs on the post-processing thread while the model runs the next batch: on the
 * model's thread this JavaScript would hold up onnxruntime.
 */
export function postProcess(raw: RawOutputs, spec: OutputSpec, cacheDir: string): ItemResult[] {
  const { decoded, failed, input, logits, attention, attentionCells: cells, generated, embedding, embeddingWidth: d = 0 } = raw
  const s = spec.input.size
  const k = spec.classes.length
  const per = 3 * s * s
  const results: ItemResult[] = decoded.map((hash, i) => {
    const probabilities = softmax(logits.subarray(i * k, (i + 1) * k))
    const predicted = probabilities.indexOf(Math.max(...probabilities))
    if (generated) {
      const png = encodeScanlines(sheetScanlines(generated, i * per, spec.input), s * generated.length, s)
      writeCacheFile(generatedSheetPath(cacheDir, spec.modelId, hash), png)
    }
    const grid = Array.from(attention.subarray(i * cells, (i + 1) * cells), (v) => Math.round(v * 1e4) / 1e4)
    const pokerFace = generated?.[GENERATE_OUTPUTS.indexOf('poker_face')]
    const intensity = pokerFace ? emotionIntensity(input, pokerFace, i * per, spec.input) : null
    return {
      hash,
      ok: true,
      probabilities,
      predicted,
      confidence: probabilities[predicted],
      attention: grid,
      generated: !!generated,
      intensity,
      // A copy, not a view: each result is stored on its own and the batch's buffer can go.
      embedding: embedding ? embedding.slice(i * d, (i + 1) * d) : null
    }
  })
  return [...results, ...failed]
}
