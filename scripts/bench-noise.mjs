#!/usr/bin/env node
// `npm run bench:noise [-- --model <folder>]`: how well the label-issue ranking finds REAL label
// noise. FERPlus Valid faces (FER2013 PublicTest) are given their original FER2013 labels (the noisy
// labels, from fer2013_original_labels.csv) and run through the app's own pipeline — `pokerface
// infer`, which scans the folder, runs the model in its worker, stores predictions and ranks the
// labels exactly as the workspace does. Truth is the FERPlus 10-vote majority (protocol in
// ../shared/data/README.md). A label is wrong where the two disagree. Prints, per split, precision at
// 100/500/1000 and AUROC per score, against random order and plain "prediction ≠ label" order, the
// paired bootstrap 95 % interval of the default order's AUROC gain over the combined score, and
// which score wins: the grid's default order (src/main/review/ranking.ts) must be the one that
// wins on every split measured. FERPlus Test (FER2013 PrivateTest, held out: never used to choose
// anything) is measured too where the labels file has its PrivateTest rows; the one in
// ../shared/data covers Training and PublicTest only, and the bench says so.
//
// Both splits are out-of-sample only for a model that did not train on them (the shipped model
// trains on FERPlus Train only). Options: --model <folder> (default: the first model in
// resources/models), --limit N (first N images per split, for a quick look), --threads N, --batch N,
// --provider cpu|cuda|…, --keep (keep the temp folders). Env: PF_DATA_DIR (default ../shared/data).
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { cliEntry, defaultBuiltinModel, ensureBuilt, option, root } from './lib.mjs'

const require = createRequire(import.meta.url)

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

/** The splits measured: the app's split name, FERPlus's folder, FER2013's usage. */
const SPLITS = [
  { split: 'valid', folder: 'FER2013Valid', usage: 'PublicTest', name: 'FERPlus Valid (FER2013 PublicTest)' },
  { split: 'test', folder: 'FER2013Test', usage: 'PrivateTest', name: 'FERPlus Test (FER2013 PrivateTest, held out)' }
]
const originalRows = readFileSync(originalLabels, 'utf8').split('\n').slice(1)
const limit = Number(option('--limit', 0))
const truth = new Map() // `${split}/${name}` → FERPlus majority
const images = [] // { split, name, folder (as FER2013 spells it), label (canonical) }
const measured = []
for (const s of SPLITS) {
  if (!existsSync(join(ferplus, s.folder, 'label.csv'))) continue
  for (const line of readFileSync(join(ferplus, s.folder, 'label.csv'), 'utf8').split('\n')) {
    const m = /^([^,]+),"[^"]*",(.*)$/.exec(line.trim())
    if (m) truth.set(`${s.split}/${m[1]}`, majority(m[2].split(',').map(Number)))
  }
  const noisy = []
  let ambiguous = 0
  for (const line of originalRows) {
    const [png, , usage, label, amb] = line.trim().split(',')
    if (usage !== s.usage || !png?.startsWith(`${s.folder}/`)) continue
    if (amb === '1') {
      ambiguous++ // duplicates with conflicting FER2013 labels: no single noisy label to judge
      continue
    }
    const name = png.slice(s.folder.length + 1)
    if (truth.get(`${s.split}/${name}`)) noisy.push({ split: s.split, name, folder: label, label: FER2013_TO_CANONICAL[label] })
  }
  if (noisy.length === 0) {
    console.log(`bench:noise: ${s.name} not measured: ${originalLabels} has no ${s.usage} rows (original FER2013 labels)`)
    continue
  }
  const taken = limit > 0 ? noisy.slice(0, limit) : noisy
  images.push(...taken)
  measured.push(s)
  console.log(
    `bench:noise: ${taken.length} ${s.name} faces (${ambiguous} ambiguous FER2013 duplicates and the faces without a FERPlus majority left out)`
  )
}

// --- a dataset of those faces with their noisy labels, in ImageFolder shape --------------------
const work = mkdtempSync(join(tmpdir(), 'pf-bench-noise-'))
const dataset = join(work, 'fer2013-noisy')
const home = join(work, 'home')
for (const img of images) {
  const from = SPLITS.find((s) => s.split === img.split).folder
  mkdirSync(join(dataset, img.split, img.folder), { recursive: true })
  copyFileSync(join(ferplus, from, img.name), join(dataset, img.split, img.folder, img.name))
}

console.log(`  model: ${manifest.id} (${modelDir})`)
console.log(`  trained on: ${manifest.training?.data ?? 'not said in model.json'}`)
if (/FER2013Valid|PublicTest|FER2013Test|PrivateTest/i.test(String(manifest.training?.data ?? ''))) {
  console.log('  WARNING: this model trained on FERPlus Valid or Test: those faces are in-sample and their figures mean nothing.')
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
// A build from before issue 16 has no combined column: its "score" was the combined one.
const scoreColumns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('review_scores')
const hasCombined = scoreColumns.includes('combined')
// Issue 17: the share of a face's 10 nearest neighbours (by the model's embedding) labelled otherwise;
// absent for builds before it and for models without the embedding output.
const hasNeighbours = scoreColumns.includes('neighbour_disagreement')
const allRows = db
  .prepare(
    `SELECT s.rel_path AS relPath, s.split, s.current_label AS label, r.predicted_label AS predicted,
            r.self_confidence AS selfConfidence, r.margin, r.flagged, r.intensity_mismatch AS mismatch, r.score,
            ${hasCombined ? 'r.combined' : 'r.score'} AS combined,
            ${hasNeighbours ? 'r.neighbour_disagreement' : 'NULL'} AS neighbours
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
const AT = [100, 500, 1000]
const pad = (str, n) => String(str).padEnd(n)
const fmt = (x) => (Number.isNaN(x) ? '  –  ' : x.toFixed(3))
/** The orders a researcher can choose in the grid; the baselines are for comparison only. */
const DEFAULT_ORDER = "most likely wrong (the grid's default)"
const COMBINED = 'combined: margin + poker-face mismatch'
const NEIGHBOURS = 'neighbours labelled otherwise (10-NN share)'

/** Mulberry32: a seeded generator, so the bootstrap interval is the same on every run. */
function seeded(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
/** Paired bootstrap of AUROC(a) − AUROC(b) over the same faces: the 2.5 and 97.5 percentiles. */
function bootstrapGain(a, b, wrong, resamples = 1000) {
  const random = seeded(16)
  const gains = []
  for (let r = 0; r < resamples; r++) {
    const pick = Array.from({ length: wrong.length }, () => Math.floor(random() * wrong.length))
    const w = pick.map((i) => wrong[i])
    gains.push(
      auroc(
        pick.map((i) => a[i]),
        w
      ) -
        auroc(
          pick.map((i) => b[i]),
          w
        )
    )
  }
  gains.sort((x, y) => x - y)
  return [gains[Math.floor(0.025 * resamples)], gains[Math.ceil(0.975 * resamples) - 1]]
}

const winners = []
for (const s of measured) {
  const rows = allRows.filter((r) => r.split === s.split)
  const wrong = rows.map((r) => r.label !== truth.get(`${s.split}/${nameOf(r.relPath)}`))
  const nWrong = wrong.filter(Boolean).length
  const withMismatch = rows.filter((r) => r.mismatch !== null).length
  const withNeighbours = rows.filter((r) => r.neighbours !== null).length
  const orders = [
    ['self-confidence (low first)', rows.map((r) => -r.selfConfidence)],
    ['normalised margin (low first)', rows.map((r) => -r.margin)],
    ['confident-learning flag', rows.map((r) => r.flagged)],
    ['confident learning: flagged, then margin', rows.map((r) => 2 * r.flagged - r.margin)],
    ...(withMismatch === rows.length ? [['PF-ViT poker-face mismatch', rows.map((r) => r.mismatch)]] : []),
    [COMBINED, rows.map((r) => r.combined)],
    ...(withNeighbours === rows.length
      ? [
          [NEIGHBOURS, rows.map((r) => r.neighbours)],
          // A candidate only: would adding the neighbours to the default help? (not an order in the app)
          ['candidate: mean of 1 − self-conf. and neighbours', rows.map((r) => (1 - r.selfConfidence + r.neighbours) / 2)]
        ]
      : []),
    [DEFAULT_ORDER, rows.map((r) => r.score)]
  ]
  const baselines = [
    ['baseline: prediction ≠ label', rows.map((r) => (r.predicted !== r.label ? 1 : 0))],
    ['baseline: random order (expected)', rows.map(() => 0)]
  ]
  const flagged = rows.filter((r) => r.flagged).length
  const flaggedRight = rows.filter((r, i) => r.flagged && wrong[i]).length
  console.log(
    `\n  ${s.name}: ${rows.length} labels judged, ${nWrong} wrong (FER2013 ≠ FERPlus majority: ${((100 * nWrong) / rows.length).toFixed(1)} %); ` +
      `${flagged} flagged by confident learning (precision ${fmt(flaggedRight / Math.max(1, flagged))}, recall ${fmt(flaggedRight / Math.max(1, nWrong))})\n`
  )
  console.log(`  ${pad('score', 46)}${AT.map((n) => pad(`P@${n}`, 8)).join('')}AUROC`)
  const aurocs = new Map()
  for (const [name, score] of [...orders, ...baselines]) {
    const a = auroc(score, wrong)
    aurocs.set(name, a)
    console.log(`  ${pad(name, 46)}${AT.map((n) => pad(fmt(expectedPrecisionAt(score, wrong, n)), 8)).join('')}${fmt(a)}`)
  }
  const [lo, hi] = bootstrapGain(orders.find(([n]) => n === DEFAULT_ORDER)[1], orders.find(([n]) => n === COMBINED)[1], wrong)
  console.log(
    `\n  default order − combined: AUROC ${fmt(aurocs.get(DEFAULT_ORDER) - aurocs.get(COMBINED))}, paired bootstrap 95 % interval [${fmt(lo)}, ${fmt(hi)}] (1,000 resamples)`
  )
  const candidate = orders.find(([n]) => n.startsWith('candidate:'))
  if (candidate) {
    const [clo, chi] = bootstrapGain(candidate[1], orders.find(([n]) => n === DEFAULT_ORDER)[1], wrong)
    console.log(
      `  candidate with neighbours − default order: AUROC ${fmt(aurocs.get(candidate[0]) - aurocs.get(DEFAULT_ORDER))}, paired bootstrap 95 % interval [${fmt(clo)}, ${fmt(chi)}]`
    )
  } else console.log('  neighbours not measured: no neighbour score stored (a model without the embedding output?)')
  // The default order is a name for one of the others; the winner is the best of the others.
  const best = orders.filter(([n]) => n !== DEFAULT_ORDER).reduce((a, b) => (aurocs.get(b[0]) > aurocs.get(a[0]) ? b : a))
  winners.push({ split: s.name, best: best[0], bestAuroc: aurocs.get(best[0]), defaultAuroc: aurocs.get(DEFAULT_ORDER) })
}
console.log(
  `\n  ranking: ${ranking.scored} labels, out-of-sample per the model card: ${ranking.outOfSample.out} yes, ${ranking.outOfSample.in} no, ` +
    `${ranking.outOfSample.unknown} unknown (${ranking.overlap}); inference + ranking ${inferSeconds.toFixed(1)} s (ranking alone ${ranking.durationMs} ms)`
)
for (const w of winners) {
  const ok = w.defaultAuroc >= w.bestAuroc
  console.log(
    `  ${w.split}: best order ${w.best} (AUROC ${fmt(w.bestAuroc)}); the grid's default ${fmt(w.defaultAuroc)}` +
      (ok ? ' — the default is the best' : ' — WARNING: another order beats the default here')
  )
}
console.log('  ties are broken at random (expected value), so yes/no scores are not helped by file order')
if (/untrained/i.test(String(manifest.training?.data ?? ''))) console.log('  (untrained model: figures near random are expected)')
if (flag('--keep')) console.log(`  kept: ${work}`)
else rmSync(work, { recursive: true, force: true })
