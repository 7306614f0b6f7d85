#!/usr/bin/env node
// `npm run bench:infer`: model-only vs end-to-end images/s on FERPlus test faces, side by side.
//   model-only: classify.onnx + generate.onnx on tensors already in memory (what the model costs);
//   end-to-end: `pokerface infer` — read + decode (sharp) → both graphs in the worker thread →
//               PNGs of poker face, reconstruction, emotion component, maps → SQLite.
// Runs alternate (model-only, end-to-end, …) so both see the same machine load; prints medians,
// and the median of each end-to-end run's ratio to the model-only run just before it.
// Options (env): BENCH_IMAGES (default: the whole test split, 3,573 faces), BENCH_RUNS (3), BENCH_THREADS (2), BENCH_BATCH (16),
// BENCH_MODEL (a model folder; default: the model the app runs by default, the first folder of resources/models).
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createRequire } from 'node:module'
import { defaultBuiltinModel, ensureBuilt, median, root } from './lib.mjs'

const require = createRequire(import.meta.url)
const ort = require('onnxruntime-node')
const sharp = require('sharp')

const N = Number(process.env.BENCH_IMAGES ?? Infinity)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const THREADS = Number(process.env.BENCH_THREADS ?? 2)
const BATCH = Number(process.env.BENCH_BATCH ?? 16)
// BENCH_GENERATE=0: classification only, on both sides (the model panel's "Generate poker faces" off).
const GENERATE = process.env.BENCH_GENERATE !== '0'
const dataDir = resolve(process.env.PF_DATA_DIR ?? join(root, '..', 'shared', 'data'))
const testDir = join(dataDir, 'ferplus', 'FER2013Test')
if (!existsSync(testDir)) {
  console.log(`bench:infer skipped: ${testDir} not found (set PF_DATA_DIR)`)
  process.exit(0)
}
ensureBuilt()

function benchModel() {
  if (process.env.BENCH_MODEL) return resolve(process.env.BENCH_MODEL)
  // The app's default model: what a researcher's run costs.
  const shipped = defaultBuiltinModel()
  if (shipped) return shipped
  console.log('(the shipped model is missing: benchmarking the micro test fixture)')
  return join(root, 'test', 'fixtures', 'models', 'pfvit-micro')
}

const modelDir = benchModel()
const manifest = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'))
const S = manifest.input.size

// The same N real faces for both measurements.
const files = readdirSync(testDir)
  .filter((f) => f.endsWith('.png'))
  .sort()
  .slice(0, N)
const datasetDir = mkdtempSync(join(tmpdir(), 'pf-bench-infer-'))
mkdirSync(join(datasetDir, 'faces'))
for (const f of files) copyFileSync(join(testDir, f), join(datasetDir, 'faces', f))

async function tensors() {
  const per = 3 * S * S
  const batches = []
  for (let i = 0; i < files.length; i += BATCH) {
    const chunk = files.slice(i, i + BATCH)
    const data = new Float32Array(chunk.length * per)
    await Promise.all(
      chunk.map(async (f, j) => {
        const { data: px, info } = await sharp(join(testDir, f))
          .removeAlpha()
          .resize(S, S, { fit: 'fill' })
          .raw()
          .toBuffer({ resolveWithObject: true })
        for (let c = 0; c < 3; c++)
          for (let p = 0; p < S * S; p++)
            data[j * per + c * S * S + p] =
              (px[p * info.channels + (info.channels === 1 ? 0 : c)] / 255 - manifest.input.mean[c]) / manifest.input.std[c]
      })
    )
    batches.push(new ort.Tensor('float32', data, [chunk.length, 3, S, S]))
  }
  return batches
}

async function modelOnly(batches) {
  // The same session options as src/main/inference/model.ts.
  const opts = {
    executionProviders: ['cpu'],
    intraOpNumThreads: THREADS,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } }
  }
  const classify = await ort.InferenceSession.create(join(modelDir, manifest.files.classify), opts)
  const generate =
    GENERATE && manifest.files.generate ? await ort.InferenceSession.create(join(modelDir, manifest.files.generate), opts) : null
  await classify.run({ image: batches[0] }) // warm-up, as the worker's first batch pays it too
  const t0 = performance.now()
  for (const image of batches) {
    await classify.run({ image })
    if (generate) await generate.run({ image })
  }
  const seconds = (performance.now() - t0) / 1000
  await classify.release()
  await generate?.release()
  return files.length / seconds
}

function endToEnd() {
  const home = mkdtempSync(join(tmpdir(), 'pf-bench-home-'))
  try {
    const r = spawnSync(
      process.execPath,
      [
        join(root, 'out', 'main', 'cli.js'),
        'infer',
        datasetDir,
        '--model',
        modelDir,
        '--provider',
        'cpu',
        '--threads',
        String(THREADS),
        '--batch',
        String(BATCH),
        '--data-dir',
        home,
        ...(GENERATE ? [] : ['--no-generate']),
        '--json'
      ],
      { encoding: 'utf8' }
    )
    if (r.status !== 0) throw new Error(r.stderr)
    const s = JSON.parse(r.stdout.trim().split('\n').at(-1))
    // A fast run that lost images would be no result at all.
    if (s.state !== 'done' || s.failed > 0 || s.done !== s.total)
      throw new Error(`end-to-end run incomplete: ${s.state}, ${s.done} of ${s.total} done, ${s.failed} failed`)
    return { all: s.done / s.seconds, loaded: s.done / s.secondsAfterModelLoad, start: s.seconds - s.secondsAfterModelLoad }
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}

const batches = await tensors()
const model = []
const e2e = []
const e2eLoaded = []
const starts = []
for (let i = 0; i < RUNS; i++) {
  model.push(await modelOnly(batches))
  const run = endToEnd()
  e2e.push(run.all)
  e2eLoaded.push(run.loaded)
  starts.push(run.start)
}
rmSync(datasetDir, { recursive: true, force: true })
const fmt = (xs) => xs.map((x) => x.toFixed(1)).join(', ')
console.log(
  `bench:infer ${manifest.id} (${S}×${S}, ${GENERATE && manifest.files.generate ? 'classify + generate' : 'classify only'}), ${files.length} FERPlus test faces, ${THREADS} threads, batch ${BATCH}, ${RUNS} runs`
)
console.log(`  model-only  : median ${median(model).toFixed(1)} img/s  [${fmt(model)}]`)
console.log(
  `  end-to-end  : median ${median(e2e).toFixed(1)} img/s  [${fmt(e2e)}]  (decode → infer → PNGs + SQLite, worker start and model load included)`
)
console.log(
  `  end-to-end, model loaded: median ${median(e2eLoaded).toFixed(1)} img/s  [${fmt(e2eLoaded)}]  (the same runs after the worker had the model loaded; start-up median ${median(starts).toFixed(2)} s)`
)
console.log(`  ratio       : ${((100 * median(e2e)) / median(model)).toFixed(0)} % of model-only (target ≥ 80 %)`)
console.log(`  ratio, model loaded: ${((100 * median(e2eLoaded)) / median(model)).toFixed(0)} % of model-only`)
// Each end-to-end run against the model-only run just before it: on a shared machine the load
// drifts between runs, and a pair sees the same load more often than two medians do.
const pairs = e2e.map((x, i) => (100 * x) / model[i])
console.log(`  ratio per pair: median ${median(pairs).toFixed(0)} %  [${pairs.map((r) => r.toFixed(0)).join(', ')}]`)
