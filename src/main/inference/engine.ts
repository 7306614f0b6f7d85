import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { GENERATE_OUTPUTS, softmax, type GeneratedImageKind } from '@shared/models'
import { encodeScanlines } from '../vision/pngEncode'
import { decodeInto, type ImageSource, type Normalisation } from '../vision/preprocess'
import { sheetScanlines } from '../vision/sheet'
import { emotionIntensity } from '../review/intensity'
import type { LoadedModel } from './model'

export interface InferenceItem {
  /** Content hash: the key results are stored under. */
  hash: string
  /** The image file, its encoded bytes, or the pixels of samples that exist only as pixels (FER2013 rows). */
  source: ImageSource
}

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
    }
  | { hash: string; ok: false; reason: string }

/**
 * Where the faces generated for one image by one model live in the cache: one PNG sheet,
 * size × 3·size, holding reconstruction | poker face | emotion component (GENERATE_OUTPUTS
 * order). One file and one encode per image instead of three; a view cuts out its panel.
 */
export function generatedSheetPath(cacheDir: string, modelId: string, hash: string): string {
  return join(cacheDir, modelId, hash.slice(0, 2), `${hash}.png`)
}

export function sheetPanel(kind: GeneratedImageKind): number {
  return GENERATE_OUTPUTS.indexOf(kind)
}

/** A batch ready for the model: what `prepareBatch` makes and the worker runs. */
export interface PreparedBatch {
  /** Content hashes of the images that decoded, in the order of their slots in `tensor`. */
  decoded: string[]
  tensor: Float32Array
  failed: ItemResult[]
}

/**
 * Decodes a batch into one NCHW tensor. Runs on the job runner's thread while the worker runs the
 * previous batch, so decoding never waits for the model nor the model for decoding.
 */
export async function prepareBatch(items: InferenceItem[], input: Normalisation): Promise<PreparedBatch> {
  const per = 3 * input.size * input.size
  const tensor = new Float32Array(items.length * per)
  const outcomes = await Promise.all(
    items.map((item, i) =>
      decodeInto(item.source, input, tensor, i * per).then(
        () => null,
        async (err: Error) => ((await sizeOf(item.source)) === 0 ? 'empty file (0 bytes)' : describeDecodeError(err))
      )
    )
  )
  const decoded: string[] = []
  const failed: ItemResult[] = []
  // Compact the tensor so decoded images are contiguous from slot 0.
  items.forEach((item, i) => {
    const problem = outcomes[i]
    if (problem) return failed.push({ hash: item.hash, ok: false, reason: problem })
    if (decoded.length !== i) tensor.copyWithin(decoded.length * per, i * per, (i + 1) * per)
    decoded.push(item.hash)
  })
  // A view, not a copy: the worker receives the whole buffer and reads the decoded part.
  return { decoded, tensor: tensor.subarray(0, decoded.length * per), failed }
}

async function sizeOf(source: ImageSource): Promise<number | null> {
  if (typeof source === 'string') return (await stat(source).catch(() => null))?.size ?? null
  return source instanceof Uint8Array ? source.byteLength : source.data.byteLength
}

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
 * component). Runs on the job runner's thread, beside the worker running the next batch: this
 * JavaScript would otherwise wait for, and hold up, onnxruntime on the worker's one thread.
 */
export async function postProcess(raw: RawOutputs, spec: OutputSpec, cacheDir: string): Promise<ItemResult[]> {
  const { decoded, failed, input, logits, attention, attentionCells: cells, generated } = raw
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
      intensity
    }
  })
  return [...results, ...failed]
}

/**
 * Runs the model over prepared batches. `runModel` is what the worker thread does; `infer`
 * (run + post-process in one place) is the same pipeline in-process, for tests and tools.
 */
export class InferenceEngine {
  constructor(
    private readonly model: LoadedModel,
    private readonly cacheDir: string
  ) {}

  get size(): number {
    return this.model.manifest.input.size
  }

  get spec(): OutputSpec {
    const { id, classes, input } = this.model.manifest
    return { modelId: id, classes, input }
  }

  prepare(items: InferenceItem[]): Promise<PreparedBatch> {
    return prepareBatch(items, this.model.manifest.input)
  }

  /** Both graphs on one batch; nothing else, so the thread is free for the next batch at once. */
  async runModel(prepared: PreparedBatch): Promise<RawOutputs> {
    const { decoded, tensor, failed } = prepared
    const empty = new Float32Array(0)
    if (decoded.length === 0)
      return { decoded, failed, input: tensor, logits: empty, attention: empty, attentionCells: 0, generated: null }
    const { manifest, classify, generate } = this.model
    const s = manifest.input.size
    const image = new ort.Tensor('float32', tensor, [decoded.length, 3, s, s])
    const c = await classify.run({ image })
    const g = generate ? await generate.run({ image }) : null
    return {
      decoded,
      failed,
      input: tensor,
      logits: c.logits.data as Float32Array,
      attention: c.attention.data as Float32Array,
      attentionCells: c.attention.dims[1] * c.attention.dims[2],
      generated: g ? GENERATE_OUTPUTS.map((kind) => g[kind].data as Float32Array) : null
    }
  }

  /**
   * Runs both graphs on a prepared batch. Resolves `ran` as soon as the model is done and
   * `results` once every image is written.
   */
  infer(prepared: PreparedBatch): { ran: Promise<void>; results: Promise<ItemResult[]> } {
    const raw = this.runModel(prepared)
    return { ran: raw.then(() => undefined), results: raw.then((r) => postProcess(r, this.spec, this.cacheDir)) }
  }
}

/** Turns sharp's decoder messages into something a researcher can act on. */
export function describeDecodeError(err: Error): string {
  const msg = String(err?.message ?? err)
  if (/pixel limit/i.test(msg)) return 'image too large (over the pixel limit that guards against decompression bombs)'
  if (/unsupported image format|Input file contains unsupported/i.test(msg)) return 'not an image sharp can decode'
  if (/ENOENT|no such file|Input file is missing/i.test(msg)) return 'file no longer on disk'
  // Whatever else the decoder says (its messages vary between libvips versions and runs), a file
  // that carries an image signature but cannot be decoded is corrupt.
  return `corrupt or truncated image (${msg.split('\n')[0]})`
}
