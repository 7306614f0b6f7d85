#!/usr/bin/env node
// `npm run bench:noise [-- --model <folder>]`: how well the label-issue ranking finds REAL label
// noise. FERPlus Valid faces are given their original FER2013 labels (the noisy labels, from
// fer2013_original_labels.csv) and run through the app's own pipeline — `pokerface infer`, which
// scans the folder, runs the model in its worker, stores predictions and ranks the labels exactly
// as the workspace does. Truth is the FERPlus 10-vote majority (protocol in ../shared/data/README.md).
// A label is wrong where the two disagree. Prints precision at 100/500/1000 and AUROC per score,
// against random order and against plain "prediction ≠ label" order.
//
// The Valid split is out-of-sample only for a model that did not train on it (the shipped model
// trains on FERPlus Train only). Options: --model <folder> (default: the first model in
// resources/models), --limit N (first N images, for a quick look), --threads N, --batch N,
// --provider cpu|cuda|…, --keep (keep the temp folders). Env: PF_DATA_DIR (default ../shared/data).
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { cliEntry, defaultBuiltinModel, ensureBuilt, root } from './lib.mjs'

const require = createRequire(import.meta.url)

function option(name, fallback = null) {
  const i = process.argv.indexOf(name)
  return i === -1 ? fallback : (process.argv[i + 1] ?? fallback)
}
const flag = (name) => process.argv.includes(name)

const dataDir = resolve(process.env.PF_DATA_DIR ?? join(root, '..', 'shared', 'data'))
const ferplus = join(dataDir, 'ferplus')
const originalLabels = join(ferplus, 'fer2013_original_labels.csv')
if (!existsSync(join(ferplus, 'FER2013Valid', 'label.csv')) || !existsSync(originalLabels)) {
  console.log(`bench:noise skipped: FERPlus Valid or fer2013_original_labels.csv not found under ${ferplus} (set PF_DATA_DIR)`)
  process.exit(0)
}

const modelDir = option('--model') ? resolve(option('--model')) : defaultBuiltinModel()
if (!modelDir) {
  console.log(
    'bench:noise: no model to measure. resources/models/ holds no built-in model yet (training/README.md makes one),\n' +
      'so pass one: npm run bench:noise -- --model <model folder>  (e.g. test/fixtures/models/pfvit-micro, untrained: near-random figures).'
  )
  process.exit(0)
}
const manifest = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'))
ensureBuilt()

// --- the real noise: FER2013's label vs the FERPlus majority, per Valid image -----------------
const EMOTIONS = ['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear', 'contempt']
const FER2013_TO_CANONICAL = {
  angry: 'anger',
  disgust: 'disgust',
  fear: 'fear',
  happy: 'happiness',
  sad: 'sadness',
  surprise: 'surprise',
  neutral: 'neutral'
}

/** FERPlus "majority": single votes dropped; an emotion (not unknown/NF) with more than half of the rest. */
function majority(votes) {
  const v = votes.map((x) => (x === 1 ? 0 : x))
  const sum = v.reduce((a, b) => a + b, 0)
  const best = v.indexOf(Math.max(...v))
  return best < 8 && v[best] * 2 > sum ? EMOTIONS[best] : null
}
const truth = new Map()
for (const line of readFileSync(join(ferplus, 'FER2013Valid', 'label.csv'), 'utf8').split('\n')) {
  const m = /^([^,]+),"[^"]*",(.*)$/.exec(line.trim())
  if (m) truth.set(m[1], majority(m[2].split(',').map(Number)))
}
const noisy = [] // { name, folder (as FER2013 spells it), label (canonical) }
let ambiguous = 0
for (const line of readFileSync(originalLabels, 'utf8').split('\n').slice(1)) {
  const [png, , usage, label, amb] = line.trim().split(',')
  if (usage !== 'PublicTest' || !png?.startsWith('FER2013Valid/')) continue
  if (amb === '1') {
    ambiguous++ // duplicates with conflicting FER2013 labels: no single noisy label to judge
    continue
  }
  const name = png.slice('FER2013Valid/'.length)
  if (truth.get(name)) noisy.push({ name, folder: label, label: FER2013_TO_CANONICAL[label] })
}
const limit = Number(option('--limit', 0))
const images = limit > 0 ? noisy.slice(0, limit) : noisy

// --- a dataset of those faces with their noisy labels, in ImageFolder shape --------------------
const work = mkdtempSync(join(tmpdir(), 'pf-bench-noise-'))
const dataset = join(work, 'fer2013-valid-noisy')
const home = join(work, 'home')
for (const img of images) {
  mkdirSync(join(dataset, 'valid', img.folder), { recursive: true })
  copyFileSync(join(ferplus, 'FER2013Valid', img.name), join(dataset, 'valid', img.folder, img.name))
}

console.log(
  `bench:noise: ${images.length} FERPlus Valid faces (${ambiguous} ambiguous FER2013 duplicates and the faces without a FERPlus majority left out)`
)
console.log(`  model: ${manifest.id} (${modelDir})`)
console.log(`  trained on: ${manifest.training?.data ?? 'not said in model.json'}`)
if (/FER2013Valid|PublicTest/i.test(String(manifest.training?.data ?? ''))) {
  console.log('  WARNING: this model trained on FERPlus Valid: these faces are in-sample and the figures below mean nothing.')
}
const started = performance.now()
const args = [cliEntry, 'infer', dataset, '--model', modelDir, '--data-dir', home, '--json']
for (const name of ['--threads', '--batch', '--provider']) if (option(name)) args.push(name, option(name))
const run = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
if (run.status !== 0) {
  console.error(`pokerface infer failed (exit ${run.status}):\n${run.stdout}`)
  process.exit(1)
}
const inferSeconds = (performance.now() - started) / 1000

// --- the scores the app stored, against the truth ----------------------------------------------
const Database = require('better-sqlite3')
const db = new Database(join(home, 'pokerface.sqlite'), { readonly: true })
const ranking = JSON.parse(db.prepare('SELECT summary FROM review_rankings').pluck().get() ?? 'null')
if (!ranking) {
  console.error('No ranking was stored: the run predicted nothing?')
  process.exit(1)
}
const rows = db
  .prepare(
    `SELECT s.rel_path AS relPath, s.current_label AS label, r.predicted_label AS predicted, r.self_confidence AS selfConfidence,
            r.margin, r.flagged, r.intensity_mismatch AS mismatch, r.score
       FROM review_scores r JOIN samples s ON s.id = r.sample_id WHERE r.score IS NOT NULL`
  )
  .all()
db.close()

// The app's own evaluation functions (src/main/review/metrics.ts), compiled on the fly so the bench
// and the unit tests use one implementation.
const ts = require('typescript')
const metricsJs = join(work, 'metrics.mjs')
writeFileSync(
  metricsJs,
  ts.transpileModule(readFileSync(join(root, 'src', 'main', 'review', 'metrics.ts'), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 }
  }).outputText
)
const { auroc, expectedPrecisionAt } = await import(pathToFileURL(metricsJs).href)

const nameOf = (relPath) => relPath.split('/').at(-1)
const wrong = rows.map((r) => r.label !== truth.get(nameOf(r.relPath)))
const nWrong = wrong.filter(Boolean).length
const withMismatch = rows.filter((r) => r.mismatch !== null).length
const scores = [
  ['self-confidence (low first)', rows.map((r) => -r.selfConfidence)],
  ['normalised margin (low first)', rows.map((r) => -r.margin)],
  ['confident-learning flag', rows.map((r) => r.flagged)],
  ['confident learning: flagged, then margin', rows.map((r) => 2 * r.flagged - r.margin)],
  ...(withMismatch === rows.length ? [['PF-ViT poker-face mismatch', rows.map((r) => r.mismatch)]] : []),
  ['combined: "most likely wrong" (grid order)', rows.map((r) => r.score)],
  ['baseline: prediction ≠ label', rows.map((r) => (r.predicted !== r.label ? 1 : 0))],
  ['baseline: random order (expected)', rows.map(() => 0)]
]
const AT = [100, 500, 1000]
const pad = (s, n) => String(s).padEnd(n)
const fmt = (x) => (Number.isNaN(x) ? '  –  ' : x.toFixed(3))
console.log(
  `\n  ${rows.length} labels judged, ${nWrong} wrong (FER2013 ≠ FERPlus majority: ${((100 * nWrong) / rows.length).toFixed(1)} %); ` +
    `${ranking.flagged} flagged by confident learning; out-of-sample per the model card: ${ranking.outOfSample.out} yes, ` +
    `${ranking.outOfSample.in} no, ${ranking.outOfSample.unknown} unknown (${ranking.overlap})`
)
console.log(`  inference + ranking: ${inferSeconds.toFixed(1)} s (ranking alone ${ranking.durationMs} ms)\n`)
console.log(`  ${pad('score', 44)}${AT.map((n) => pad(`P@${n}`, 8)).join('')}AUROC`)
for (const [name, s] of scores) {
  console.log(`  ${pad(name, 44)}${AT.map((n) => pad(fmt(expectedPrecisionAt(s, wrong, n)), 8)).join('')}${fmt(auroc(s, wrong))}`)
}
const flaggedRight = rows.filter((r, i) => r.flagged && wrong[i]).length
console.log(
  `\n  flagged set: precision ${fmt(flaggedRight / Math.max(1, ranking.flagged))}, recall ${fmt(flaggedRight / Math.max(1, nWrong))}` +
    `  ·  ties are broken at random (expected value), so yes/no scores are not helped by file order`
)
if (/untrained/i.test(String(manifest.training?.data ?? ''))) console.log('  (untrained model: figures near random are expected)')
if (flag('--keep')) console.log(`  kept: ${work}`)
else rmSync(work, { recursive: true, force: true })
