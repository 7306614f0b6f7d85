import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import * as ort from 'onnxruntime-node'
import sharp from 'sharp'

/**
 * Networks that judge poker faces and that no training loss of ours ever read (../shared/models,
 * MIT; see its README): face-api.js's expression classifier says whether a face looks neutral, and
 * MobileFace V1 says whether two faces are the same person. A generator can learn to fool a network
 * it trains against; it cannot have learnt to fool these. training/ never loads them (a training
 * test checks the file names appear nowhere there).
 */
export const EXPRESSION_JUDGE = 'faceapi_expression.onnx'
export const IDENTITY_JUDGE = 'mobileface_v1_gray100.onnx'
/** face-api's output order (its README): neutral first. */
export const EXPRESSION_JUDGE_CLASSES = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised']
const JUDGE_SIZE = 112
const IDENTITY_SIZE = 100

export interface ExpressionVerdict {
  /** P(neutral) */
  neutral: number
  /** Whether neutral is the judge's most probable class: "the judge calls it neutral". */
  calledNeutral: boolean
}

export interface Judges {
  /** The expression judge's verdict per face, from RGB HWC bytes at 112 × 112. */
  expression(faces: Uint8Array[]): Promise<ExpressionVerdict[]>
  /** L2-normalised identity embedding per face, from RGB HWC bytes at 112 × 112. */
  identity(faces: Uint8Array[]): Promise<Float32Array[]>
  release(): Promise<void>
}

/** Where the judges are: $PF_FACE_NETS_DIR, else ../shared/models beside the project. */
export function judgesDir(): string {
  return resolve(process.env.PF_FACE_NETS_DIR ?? join(process.cwd(), '..', 'shared', 'models'))
}

/** Why the judges cannot run here, or null when both files are present. */
export function judgesMissing(dir = judgesDir()): string | null {
  const missing = [EXPRESSION_JUDGE, IDENTITY_JUDGE].filter((f) => !existsSync(join(dir, f)))
  return missing.length
    ? `independent judges not found (${missing.join(', ')} in ${dir}; set PF_FACE_NETS_DIR to the folder holding them)`
    : null
}

/** Grey 100 × 100 (Rec. 601 luma, bilinear) from RGB at 112 × 112: MobileFace V1's input, raw 0..255. */
export function greyForIdentity(rgb: Uint8Array, size = JUDGE_SIZE, out = IDENTITY_SIZE): Float32Array {
  const grey = new Float32Array(out * out)
  const scale = size / out
  const luma = (x: number, y: number) => {
    const i = (y * size + x) * 3
    return 0.299 * rgb[i] + 0.587 * rgb[i + 1] + 0.114 * rgb[i + 2]
  }
  for (let y = 0; y < out; y++) {
    const sy = Math.min(size - 1, Math.max(0, (y + 0.5) * scale - 0.5))
    const y0 = Math.floor(sy)
    const y1 = Math.min(size - 1, y0 + 1)
    const fy = sy - y0
    for (let x = 0; x < out; x++) {
      const sx = Math.min(size - 1, Math.max(0, (x + 0.5) * scale - 0.5))
      const x0 = Math.floor(sx)
      const x1 = Math.min(size - 1, x0 + 1)
      const fx = sx - x0
      const top = luma(x0, y0) * (1 - fx) + luma(x1, y0) * fx
      const bottom = luma(x0, y1) * (1 - fx) + luma(x1, y1) * fx
      grey[y * out + x] = top * (1 - fy) + bottom * fy
    }
  }
  return grey
}

/** RGB HWC bytes at any square size → 112 × 112, the judges' input (bilinear; unchanged when already 112). */
export async function toJudgeSize(rgb: Uint8Array, size: number): Promise<Uint8Array> {
  if (size === JUDGE_SIZE) return rgb
  const out = await sharp(Buffer.from(rgb), { raw: { width: size, height: size, channels: 3 } })
    .resize(JUDGE_SIZE, JUDGE_SIZE, { kernel: 'linear', fit: 'fill' })
    .raw()
    .toBuffer()
  return new Uint8Array(out)
}

function checkSize(faces: Uint8Array[]): void {
  for (const f of faces)
    if (f.length !== JUDGE_SIZE * JUDGE_SIZE * 3) throw new Error(`judges need 112 × 112 RGB faces (got ${f.length} bytes)`)
}

export async function loadJudges(dir = judgesDir(), threads = 2): Promise<Judges> {
  const missing = judgesMissing(dir)
  if (missing) throw new Error(missing)
  const options = { executionProviders: ['cpu'], intraOpNumThreads: threads }
  const expression = await ort.InferenceSession.create(join(dir, EXPRESSION_JUDGE), options)
  const identity = await ort.InferenceSession.create(join(dir, IDENTITY_JUDGE), options)
  return {
    async expression(faces) {
      if (faces.length === 0) return []
      checkSize(faces)
      const per = 3 * JUDGE_SIZE * JUDGE_SIZE
      const input = new Float32Array(faces.length * per)
      // HWC bytes → NCHW floats, raw 0..255: the graph subtracts its own mean.
      faces.forEach((f, n) => {
        for (let p = 0; p < JUDGE_SIZE * JUDGE_SIZE; p++)
          for (let c = 0; c < 3; c++) input[n * per + c * JUDGE_SIZE * JUDGE_SIZE + p] = f[p * 3 + c]
      })
      const out = await expression.run({
        [expression.inputNames[0]]: new ort.Tensor('float32', input, [faces.length, 3, JUDGE_SIZE, JUDGE_SIZE])
      })
      const probs = out[expression.outputNames[0]].data as Float32Array
      const k = EXPRESSION_JUDGE_CLASSES.length
      return faces.map((_, n) => {
        const row = probs.subarray(n * k, (n + 1) * k)
        return { neutral: row[0], calledNeutral: row.every((p) => p <= row[0]) }
      })
    },
    async identity(faces) {
      if (faces.length === 0) return []
      checkSize(faces)
      const per = IDENTITY_SIZE * IDENTITY_SIZE
      const input = new Float32Array(faces.length * per)
      faces.forEach((f, n) => input.set(greyForIdentity(f), n * per))
      const out = await identity.run({
        [identity.inputNames[0]]: new ort.Tensor('float32', input, [faces.length, 1, IDENTITY_SIZE, IDENTITY_SIZE])
      })
      const data = out[identity.outputNames[0]].data as Float32Array
      const dim = data.length / faces.length
      return faces.map((_, n) => normalise(data.slice(n * dim, (n + 1) * dim)))
    },
    async release() {
      await expression.release()
      await identity.release()
    }
  }
}

function normalise(v: Float32Array): Float32Array {
  let norm = 0
  for (const x of v) norm += x * x
  norm = Math.sqrt(norm) || 1
  return v.map((x) => x / norm)
}

/** Cosine of two L2-normalised embeddings. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i]
  return dot
}
