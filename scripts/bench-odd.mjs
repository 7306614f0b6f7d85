#!/usr/bin/env node
// `npm run bench:odd [-- --data-dir DIR] [--boot 1000]`: how well the odd-image score (issue 17 item 2,
// src/main/review/oddness.ts) finds FERPlus images that are not usable faces. Reads a data folder
// where `pokerface infer` already ran over FERPlus with an embedding model (default
// $PF_APP_HOME_ODD, else /work/pf-runs/app-home-odd: run
// `node out/main/cli.js infer ../shared/data/ferplus --data-dir DIR --no-generate` first); votes come
// from the store (sample_sources.extras, FERPlus label.csv order: …, unknown, NF), pixels from the
// images on disk.
// Weak truths: A = at least one of the 10 annotators voted NF (not a face); B = at least 3 voted
// unknown. The combination weight is chosen on Train + Valid under truth A and reported on Test.
// Prints AUROC with a 95 % bootstrap interval (resampling images), and how close real faces come to
// the flatness bound (their thumbnails' contrast); nothing is asserted.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import {
  auroc,
  aurocWithInterval,
  float32Blob,
  int32Blob,
  isolation,
  loadContrast,
  loadOddness,
  seededRandom
} from './odd-stats.mjs'

const require = createRequire(import.meta.url)
const option = (name, fallback) => {
  const i = process.argv.indexOf(name)
  return i === -1 ? fallback : process.argv[i + 1]
}
const dataDir = option('--data-dir', process.env.PF_APP_HOME_ODD ?? '/work/pf-runs/app-home-odd')
const boots = Number(option('--boot', 500))
const Database = require('better-sqlite3')
const sharp = require('sharp')

const { uncertainty, oddness, normDeviation, medianNorm, rowNorms, ODD_UNCERTAINTY_WEIGHT, ODD_QUEUE_MIN, FLAT_FACE } =
  await loadOddness()
const { contrastBeyondPlane } = await loadContrast()

const db = new Database(join(dataDir, 'pokerface.sqlite'), { readonly: true })
const dataset = db.prepare('SELECT id, root FROM datasets ORDER BY id LIMIT 1').get()
if (!dataset) {
  console.log(`bench:odd: no dataset in ${dataDir}; run pokerface infer over FERPlus there first`)
  process.exit(0)
}
const lists = db
  .prepare('SELECT model_id, k, sample_ids, neighbours, similarities FROM neighbour_lists WHERE dataset_id = ?')
  .get(dataset.id)
if (!lists) {
  console.log(`bench:odd: no neighbour lists in ${dataDir} (a model with embeddings must have run)`)
  process.exit(0)
}
const listIds = int32Blob(lists.sample_ids)
const nbrs = int32Blob(lists.neighbours)
const sims = float32Blob(lists.similarities)
const rowOf = new Map(Array.from(listIds, (id, i) => [id, i]))

const rows = db
  .prepare(
    `SELECT s.id, s.rel_path, s.split, ss.extras, p.probabilities, e.dim, e.vector
       FROM samples s JOIN sample_sources ss ON ss.sample_id = s.id
       JOIN predictions p ON p.content_hash = s.content_hash AND p.model_id = @model
       JOIN embeddings e ON e.content_hash = s.content_hash AND e.model_id = @model
      WHERE s.dataset_id = @dataset AND s.status = 'present'`
  )
  .all({ model: lists.model_id, dataset: dataset.id })
// Each embedding's length, and their median over the dataset, as the ranking reads them.
const lengths = rows.map((r) => rowNorms(float32Blob(r.vector), r.dim)[0])
const median = medianNorm(lengths)

const items = []
for (const [row, r] of rows.entries()) {
  const votes = JSON.parse(r.extras ?? '{}').votes
  const at = rowOf.get(r.id)
  if (!Array.isArray(votes) || votes.length !== 10 || at === undefined) continue
  const n = nbrs.subarray(at * lists.k, (at + 1) * lists.k)
  const s = sims.subarray(at * lists.k, (at + 1) * lists.k)
  const probs = JSON.parse(r.probabilities)
  items.push({
    path: join(dataset.root, r.rel_path),
    split: r.split,
    nf: votes[9],
    unknown: votes[8],
    isolation: isolation(n, s),
    uncertainty: uncertainty(probs),
    norm: lengths[row],
    lowMaxProb: 1 - Math.max(...probs),
    probs,
    n,
    s
  })
}
// Pixel spread: a blank or near-constant image has a small standard deviation (low = odd).
for (let i = 0; i < items.length; i += 256) {
  await Promise.all(
    items.slice(i, i + 256).map(async (it) => {
      const st = await sharp(it.path).greyscale().stats()
      it.flatness = -st.channels[0].stdev
    })
  )
}

const rand = seededRandom()
const withInterval = (scores, labels) => aurocWithInterval(scores, labels, boots, rand)

const truths = {
  'A: NF votes >= 1': (it) => it.nf >= 1,
  'B: unknown votes >= 3': (it) => it.unknown >= 3
}
const usable = items.filter((it) => it.isolation !== null && it.norm > 0)
const tune = usable.filter((it) => it.split === 'train' || it.split === 'valid')
const test = usable.filter((it) => it.split === 'test')

// The weight: a grid over 0..1 on Train + Valid under truth A; Test is never looked at.
let best = { w: 0, a: -1 }
for (let w = 0; w <= 1.0001; w += 0.05) {
  const a = auroc(
    tune.map((it) => oddness(it.probs, it.norm, median, w)),
    tune.map(truths['A: NF votes >= 1'])
  )
  if (a > best.a) best = { w: Math.round(w * 100) / 100, a }
}

console.log(
  `bench:odd: ${lists.model_id}, ${usable.length} FERPlus images with votes and neighbours (k=${lists.k}); tune = Train+Valid ${tune.length}, report = Test ${test.length}`
)
console.log(
  `  weight on uncertainty chosen on Train+Valid (truth A): ${best.w} (AUROC there ${best.a.toFixed(3)}); the app ships ODD_UNCERTAINTY_WEIGHT = ${ODD_UNCERTAINTY_WEIGHT}`
)
const signals = {
  'isolation (1 - mean kNN sim)': (it) => it.isolation,
  'uncertainty (norm. entropy)': (it) => it.uncertainty,
  '1 - max probability': (it) => it.lowMaxProb,
  'pixel flatness (-stdev)': (it) => it.flatness,
  'norm deviation': (it) => normDeviation(it.norm, median),
  [`combined, w=${best.w} (tuned)`]: (it) => oddness(it.probs, it.norm, median, best.w),
  [`combined, app w=${ODD_UNCERTAINTY_WEIGHT}`]: (it) => oddness(it.probs, it.norm, median)
}
for (const [truthName, truth] of Object.entries(truths)) {
  const labels = test.map(truth)
  console.log(
    `  Test, truth ${truthName}: ${labels.filter(Boolean).length} positives of ${labels.length}; AUROC [95 % bootstrap, ${boots}]`
  )
  for (const [name, f] of Object.entries(signals)) console.log(`    ${name.padEnd(32)} ${withInterval(test.map(f), labels)}`)
}

// The queue's cut: what share of Train+Valid it holds, and its precision and recall on Test.
const tuneScores = tune.map((it) => oddness(it.probs, it.norm, median)).sort((a, b) => b - a)
const share = tuneScores.filter((x) => x >= ODD_QUEUE_MIN).length / tuneScores.length
console.log(
  `  queue cut ODD_QUEUE_MIN = ${ODD_QUEUE_MIN}: holds ${(100 * share).toFixed(2)} % of Train+Valid (its top 1 % starts at ${tuneScores[Math.floor(tuneScores.length / 100)].toFixed(3)})`
)
for (const [truthName, truth] of Object.entries(truths)) {
  const queued = test.filter((it) => oddness(it.probs, it.norm, median) >= ODD_QUEUE_MIN)
  const hits = queued.filter(truth).length
  const positives = test.filter(truth).length
  console.log(
    `    Test, truth ${truthName}: queue ${queued.length} images, precision ${(hits / Math.max(1, queued.length)).toFixed(3)}, recall ${hits}/${positives}; base rate ${(positives / test.length).toFixed(3)}`
  )
}

// The flatness (an empty frame scores 1 whatever the model says) reads each thumbnail's contrast
// beyond a plane: how close do real faces come to FLAT_FACE? Computed from the stored thumbnails,
// so a store written before contrasts were kept answers too.
const thumbs = db
  .prepare(
    `SELECT s.split, f.thumb FROM samples s JOIN image_fingerprints f ON f.content_hash = s.content_hash
      WHERE s.dataset_id = ? AND s.status = 'present' AND f.thumb IS NOT NULL`
  )
  .all(dataset.id)
for (const [name, splits] of [
  ['Train+Valid', ['train', 'valid']],
  ['Test', ['test']]
]) {
  const c = thumbs
    .filter((t) => splits.includes(t.split))
    .map((t) => contrastBeyondPlane(t.thumb))
    .sort((a, b) => a - b)
  if (c.length === 0) continue
  console.log(
    `  thumbnail contrast beyond a plane, ${name} (${c.length} faces): lowest ${c[0].toFixed(2)}, 0.1 % under ${c[Math.floor(c.length / 1000)].toFixed(2)}; under FLAT_FACE = ${FLAT_FACE}: ${c.filter((x) => x < FLAT_FACE).length}`
  )
}
