import { mkdir, rename, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import * as ort from 'onnxruntime-node'
import sharp from 'sharp'
import { softmax, type ModelImageKind } from '@shared/models'
import { heatmapRgba } from '../vision/colormap'
import { attentionMap, emotionMap } from '../vision/maps'
import { decodeInto, toRgbBytes } from '../vision/preprocess'
import type { LoadedModel } from './model'

export interface InferenceItem {
  /** Content hash: the key results are stored under. */
  hash: string
  path: string
}

export type ItemResult =
  | { hash: string; ok: true; probabilities: number[]; predicted: number; confidence: number; generated: boolean }
  | { hash: string; ok: false; reason: string }

/** Where the images generated for one sample by one model live in the cache. */
export function artefactPath(cacheDir: string, modelId: string, hash: string, kind: ModelImageKind): string {
  return join(cacheDir, modelId, hash.slice(0, 2), hash, `${kind}.png`)
}

interface Prepared {
  items: InferenceItem[]
  /** Items that decoded, in batch order, with their slot in `tensor`. */
  decoded: InferenceItem[]
  tensor: Float32Array
  failed: ItemResult[]
}

async function writeAtomic(path: string, bytes: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  await writeFile(tmp, bytes)
  await rename(tmp, path)
}

function pngFromRaw(raw: Buffer, size: number, channels: 3 | 4): Promise<Buffer> {
  return sharp(raw, { raw: { width: size, height: size, channels } }).png({ compressionLevel: 6 }).toBuffer()
}

/**
 * Runs the model over batches: decode (sharp, off the JavaScript thread) → classify → generate →
 * PNGs of the generated faces and maps in the cache. `prepare` and `infer` are separate so the
 * caller can decode the next batch while this one runs.
 */
export class InferenceEngine {
  constructor(
    private readonly model: LoadedModel,
    private readonly cacheDir: string
  ) {}

  get size(): number {
    return this.model.manifest.input.size
  }

  async prepare(items: InferenceItem[]): Promise<Prepared> {
    const { input } = this.model.manifest
    const per = 3 * input.size * input.size
    const tensor = new Float32Array(items.length * per)
    const outcomes = await Promise.all(
      items.map((item, i) =>
        decodeInto(item.path, input, tensor, i * per).then(
          () => null,
          async (err: Error) => ((await stat(item.path).catch(() => null))?.size === 0 ? 'empty file (0 bytes)' : describeDecodeError(err))
        )
      )
    )
    const decoded: InferenceItem[] = []
    const failed: ItemResult[] = []
    // Compact the tensor so decoded images are contiguous from slot 0.
    items.forEach((item, i) => {
      const problem = outcomes[i]
      if (problem) return failed.push({ hash: item.hash, ok: false, reason: problem })
      if (decoded.length !== i) tensor.copyWithin(decoded.length * per, i * per, (i + 1) * per)
      decoded.push(item)
    })
    return { items, decoded, tensor: tensor.subarray(0, decoded.length * per), failed }
  }

  /**
   * Runs both graphs on a prepared batch. Resolves `ran` as soon as the model is done (so the
   * next batch can start) and `results` once every image is written.
   */
  infer(prepared: Prepared): { ran: Promise<void>; results: Promise<ItemResult[]> } {
    let markRan: () => void = () => {}
    const ran = new Promise<void>((resolve) => (markRan = resolve))
    const results = this.run(prepared, () => markRan()).finally(() => markRan())
    return { ran, results }
  }

  private async run(prepared: Prepared, onRan: () => void): Promise<ItemResult[]> {
    const { decoded, tensor, failed } = prepared
    if (decoded.length === 0) return failed
    const { manifest, classify, generate } = this.model
    const s = manifest.input.size
    const image = new ort.Tensor('float32', tensor, [decoded.length, 3, s, s])
    const c = await classify.run({ image })
    const g = generate ? await generate.run({ image }) : null
    onRan()

    const logits = c.logits.data as Float32Array
    const k = manifest.classes.length
    const attention = c.attention.data as Float32Array
    const grid = c.attention.dims[1]
    const per = 3 * s * s
    const writes: Promise<void>[] = []
    const results: ItemResult[] = decoded.map((item, i) => {
      const probabilities = softmax(logits.subarray(i * k, (i + 1) * k))
      const predicted = probabilities.indexOf(Math.max(...probabilities))
      const path = (kind: ModelImageKind) => artefactPath(this.cacheDir, manifest.id, item.hash, kind)
      if (g) {
        for (const kind of ['reconstruction', 'poker_face', 'emotion_component'] as const) {
          const rgb = toRgbBytes(g[kind].data as Float32Array, i * per, manifest.input)
          writes.push(pngFromRaw(rgb, s, 3).then((png) => writeAtomic(path(kind), png)))
        }
        const map = emotionMap(tensor, g.poker_face.data as Float32Array, i * per, s, manifest.input.std)
        writes.push(pngFromRaw(heatmapRgba(map), s, 4).then((png) => writeAtomic(path('emotion_map'), png)))
      }
      const att = attentionMap(attention, i * grid * grid, grid, s)
      writes.push(pngFromRaw(heatmapRgba(att), s, 4).then((png) => writeAtomic(path('attention'), png)))
      return { hash: item.hash, ok: true, probabilities, predicted, confidence: probabilities[predicted], generated: !!g }
    })
    await Promise.all(writes)
    return [...results, ...failed]
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
