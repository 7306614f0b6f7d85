import * as ort from 'onnxruntime-node'
import { EMBEDDING_OUTPUT, GENERATE_OUTPUTS } from '@shared/models'
import { ImageReadError } from '../media/readImageFile'
import { decodeInto, type ImageSource, type Normalisation } from '../vision/preprocess'
import type { LoadedModel } from './model'
import { postProcess, type ItemResult, type OutputSpec, type RawOutputs } from './postProcess'

export interface InferenceItem {
  /** Content hash: the key results are stored under. */
  hash: string
  /** The image file, its encoded bytes, or the pixels of samples that exist only as pixels (FER2013 rows). */
  source: ImageSource
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
        (err: Error) =>
          // A read refused by src/main/media says why in its own words (a pipe, outside the dataset, too large).
          err instanceof ImageReadError
            ? err.message
            : sizeOf(item.source) === 0
              ? 'empty file (0 bytes)'
              : describeDecodeError(err)
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

/** Bytes or pixels in memory; files report an empty file themselves when read (ImageReadError). */
function sizeOf(source: ImageSource): number | null {
  if (typeof source === 'string') return null
  if (source instanceof Uint8Array) return source.byteLength
  return 'data' in source ? source.data.byteLength : null
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
      return {
        decoded,
        failed,
        input: tensor,
        logits: empty,
        attention: empty,
        attentionCells: 0,
        embedding: null,
        embeddingWidth: 0,
        generated: null
      }
    const { manifest, classify, generate } = this.model
    const s = manifest.input.size
    const image = new ort.Tensor('float32', tensor, [decoded.length, 3, s, s])
    const c = await classify.run({ image })
    const g = generate ? await generate.run({ image }) : null
    const embedding = c[EMBEDDING_OUTPUT] as ort.Tensor | undefined
    return {
      decoded,
      failed,
      input: tensor,
      logits: c.logits.data as Float32Array,
      attention: c.attention.data as Float32Array,
      attentionCells: c.attention.dims[1] * c.attention.dims[2],
      embedding: embedding ? (embedding.data as Float32Array) : null,
      embeddingWidth: embedding ? embedding.dims[1] : 0,
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
