// `npm run bench:pipeline`: the CPU each step of the inference runner's own thread costs beside
// onnxruntime (vitest bench; mean time per call in its table; one thread, so time ≈ CPU on a quiet
// machine). Inputs are real: 16 FERPlus test faces, and the shipped model's own outputs for them
// (its generated faces are noisy, which is what makes PNG compression expensive).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, bench, describe } from 'vitest'
import { InferenceEngine, prepareBatch } from '../../src/main/inference/engine'
import { postProcess, type RawOutputs } from '../../src/main/inference/postProcess'
import { loadModel, releaseModel } from '../../src/main/inference/model'
import { listModels, pickModel } from '../../src/main/inference/registry'
import { openDb } from '../../src/main/store/db'
import { emotionIntensity } from '../../src/main/review/intensity'
import { decodeSimplePng, resizeInto } from '../../src/main/vision/fastPng'
import { encodeScanlines } from '../../src/main/vision/pngEncode'
import { sheetScanlines } from '../../src/main/vision/sheet'
import { FERPLUS_DIR } from '../helpers/data'

// The model the app runs by default, chosen by the registry's own rule (not an id that changes with each retraining).
const db = openDb(':memory:')
const MODEL = pickModel(await listModels(db, join(__dirname, '..', '..', 'resources', 'models')), undefined).folder
db.close()
const BATCH = 16
const testDir = join(FERPLUS_DIR, 'FER2013Test')
const files = readdirSync(testDir)
  .filter((f) => f.endsWith('.png'))
  .sort()
  .slice(0, BATCH)
const items = files.map((f) => ({ hash: f.replace('.png', '').padEnd(64, '0'), source: join(testDir, f) }))

const model = await loadModel(MODEL, { provider: 'cpu', threads: 2 })
const norm = model.manifest.input
const S = norm.size
const per = 3 * S * S
// The worker's own step: both graphs on one prepared batch, raw outputs back.
const engine = new InferenceEngine(model, '')
const spec = engine.spec
const raw: RawOutputs = await engine.runModel(await prepareBatch(items, norm))
await releaseModel(model)

const cacheDir = mkdtempSync(join(tmpdir(), 'pf-bench-pipeline-'))
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }))
const png = readFileSync(join(testDir, files[0]))
const face = decodeSimplePng(png)!
const tensor = new Float32Array(per)
const scale = norm.std.map((sd) => 1 / (255 * sd))
const shift = norm.mean.map((m, ch) => -m / norm.std[ch])
const scanlines = sheetScanlines(raw.generated!, 0, norm)
const sheetPng = encodeScanlines(scanlines, 3 * S, S)
const rgb = await sharp(sheetPng).raw().toBuffer()
const sharpSheet = () =>
  sharp(rgb, { raw: { width: 3 * S, height: S, channels: 3 } })
    .png({ compressionLevel: 2 })
    .toBuffer()
console.log(
  `a sheet of the shipped model's faces: ${sheetPng.length} bytes as the app writes it, ${(await sharpSheet()).length} as sharp's level-2 PNG`
)

describe('run thread, a batch of 16', () => {
  bench('prepare: read, decode and resize 16 faces into the input tensor', async () => void (await prepareBatch(items, norm)))
  bench('post-process: results, 16 sheets written to the cache', () => void postProcess(raw, spec, cacheDir))
})

describe('run thread, per image', () => {
  bench('decode 48-px PNG (JS)', () => void decodeSimplePng(png))
  bench('resize into the 112-px input tensor', () => resizeInto(face, S, tensor, 0, scale, shift))
  bench('sheet scanlines (3 panels to bytes, Up filter)', () => void sheetScanlines(raw.generated!, 0, norm))
  bench('compress the sheet (encodeScanlines)', () => void encodeScanlines(scanlines, 3 * S, S))
  bench('compress the sheet (sharp PNG, level 2)', async () => void (await sharpSheet()))
  bench('emotion intensity', () => void emotionIntensity(raw.input, raw.generated![1], 0, norm))
})
