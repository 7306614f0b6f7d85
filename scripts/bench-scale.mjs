#!/usr/bin/env node
// `npm run bench:scale` (issue 19): what happens at AffectNet's size. Builds once, outside the
// repository (PF_SCALE_DIR, default ../pf-scale beside the project):
//   - affectnet/: a synthetic AffectNet-format folder of BENCH_SCALE_IMAGES (300,000) real-sized JPEG
//     faces with training.csv / validation.csv (scripts/scale-data.mjs says how, and why that size);
//   - store-<M>/: a real store holding an AffectNet dataset of BENCH_SCALE_SAMPLES (1,000,000)
//     samples with synthetic predictions, written without a scan (scripts/scale-store.mjs);
// then prints, each a median of BENCH_RUNS (3):
//   1. first open and reopen of the image folder with `pokerface open` (the app's scanner), peak RSS;
//   2. on the 1M store served by `pokerface serve` (the app's HTTP API, the one the grid calls):
//      every sort and filter the grid offers and deep pages (querySamples), the label-issue ranking
//      (rankLabelIssues: the first in a server, and again after a relabel), the metrics (getReviewMetrics), exports as cleaned CSV and in the source
//      format (exportLabels); the server's peak RSS;
//   3. grid scrolling frame times at 1M in Debian's Chromium (as bench:ui does at 35k), and the
//      embedding map's frame times at 1M drawn on the CPU and with WebGL (scripts/map-frames.mjs).
// Each figure is printed beside its target (issue 19). Env: PF_SCALE_DIR, BENCH_SCALE_IMAGES,
// BENCH_SCALE_SAMPLES, BENCH_RUNS, PF_DATA_DIR (the source faces), PF_CHROMIUM. The build runs at the
// lowest CPU priority (nice 19 is up to the caller: `nice -n 19 npm run bench:scale` builds and
// measures that way; the figures below were taken without it).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, utimesSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import {
  cliEntry,
  ensureBuilt,
  median,
  root,
  startServe,
  stopServe,
  SYNTHETIC_MODEL_ID as MODEL_ID,
  writeSyntheticModel
} from './lib.mjs'
import { measureMapDrawings } from './map-frames.mjs'
import { buildAffectNet } from './scale-data.mjs'
import { buildStore, ensureEmbeddings } from './scale-store.mjs'

const require = createRequire(import.meta.url)
/** The store is read (and the map's stored layout cleared) directly, beside the server. */
const Database = require('better-sqlite3')
const dataDir = resolve(process.env.PF_DATA_DIR ?? join(root, '..', 'shared', 'data'))
const scaleDir = resolve(process.env.PF_SCALE_DIR ?? join(root, '..', 'pf-scale'))
const IMAGES = Number(process.env.BENCH_SCALE_IMAGES ?? 300_000)
const SAMPLES = Number(process.env.BENCH_SCALE_SAMPLES ?? 1_000_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const CHROMIUM = process.env.PF_CHROMIUM ?? '/usr/bin/chromium'
const ONLY = new Set((process.env.BENCH_SCALE_ONLY ?? 'open,store,ui').split(','))
// The store part in pieces, to iterate on one in minutes: BENCH_SCALE_ONLY=queries (or rank, metrics,
// map, exports, comma-separated) runs only those against the store as it is (its last ranking kept);
// BENCH_SCALE_CASES=<regex> narrows the querySamples cases by name.
const STORE_PARTS = ['rank', 'queries', 'metrics', 'map', 'exports']
if (ONLY.has('store')) for (const p of STORE_PARTS) ONLY.add(p)
if (STORE_PARTS.some((p) => ONLY.has(p))) ONLY.add('store')
const CASES = new RegExp(process.env.BENCH_SCALE_CASES ?? '')

if (!existsSync(join(dataDir, 'muxspace_fe'))) {
  console.log(`bench:scale skipped: ${join(dataDir, 'muxspace_fe')} not found (set PF_DATA_DIR)`)
  process.exit(0)
}
ensureBuilt()

const secs = (ms) => `${(ms / 1000).toFixed(2)} s`
const msText = (ms) => `${ms.toFixed(1)} ms`
const mb = (kb) => `${Math.round(kb / 1024).toLocaleString()} MB`
const results = []
/** One figure against its target; `meet` says what would meet a missed target. */
function report(name, value, text, target, targetText, meet) {
  const ok = value < target
  results.push({ name, ok, text, targetText, meet })
  console.log(`  ${name.padEnd(58)} ${text.padStart(12)}   target < ${targetText.padEnd(8)} ${ok ? 'met' : 'MISSED'}`)
  if (!ok && meet) console.log(`    → would meet it: ${meet}`)
}

// ---------------------------------------------------------------------------------------------
// 0. Room on disk: about 9 KB a face, the store's folder 1 KB a sample (label rows) plus its
// database (about 1.2 KB a sample, and 0.8 KB of embeddings), and the open benchmark's databases.
mkdirSync(scaleDir, { recursive: true })
const free = (() => {
  const s = statfsSync(scaleDir)
  return s.bavail * s.bsize
})()
const needed = IMAGES * 12_000 + SAMPLES * 3_300
console.log(`bench:scale: data in ${scaleDir}; ${(free / 1e9).toFixed(1)} GB free, up to ${(needed / 1e9).toFixed(1)} GB needed`)
if (!existsSync(join(scaleDir, 'affectnet', 'COMPLETE.json')) && free < needed * 1.2) {
  console.log('bench:scale stopped: not enough free disk (set PF_SCALE_DIR, or lower BENCH_SCALE_IMAGES)')
  process.exit(1)
}

// 1. The image folder (not needed by a store-only run once the store is built).
const facesDir = join(scaleDir, 'affectnet')
const storeHome = join(scaleDir, `store-${SAMPLES}`)
const storeMarker = join(storeHome, 'STORE-COMPLETE.json')
let faces = null
if (ONLY.has('open') || !existsSync(storeMarker)) {
  console.log(`\n1. ${IMAGES.toLocaleString()} AffectNet-format faces in ${facesDir} (built once; resumes where it stopped)`)
  faces = await buildAffectNet(facesDir, IMAGES, dataDir, (line) => console.log(line))
  console.log(
    `  ${faces.images.toLocaleString()} JPEG faces (${faces.training.toLocaleString()} in training.csv, ${faces.validation.toLocaleString()} in validation.csv), ` +
      `${faces.params.sides[0]}–${faces.params.sides.at(-1)} px, quality ${faces.params.jpegQuality}, ` +
      `mean ${(faces.meanImageBytes / 1024).toFixed(1)} KB, ${(faces.imageBytes / 1e9).toFixed(2)} GB`
  )
}

/**
 * `pokerface open` under /usr/bin/time: the open's time as the CLI reports it (the scan: the dataset
 * is usable then), the duplicate search's after it (the app runs it in the background; the command
 * waits for it), and the process's peak RSS.
 */
function openOnce(folder, home) {
  const time = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', 'PEAK_RSS_KB=%M'] : []
  const argv = [...time, process.execPath, cliEntry, 'open', folder, '--json', '--data-dir', home]
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (r.status !== 0) throw new Error(r.stderr || r.stdout)
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1))
  const rss = /PEAK_RSS_KB=(\d+)/.exec(r.stderr)
  return {
    ms: out.ms,
    searchMs: out.duplicateSearchMs,
    images: out.images,
    rssKb: rss ? Number(rss[1]) : NaN,
    reused: Boolean(out.reusedScanOf)
  }
}

if (ONLY.has('open')) {
  console.log(`\n  pokerface open ${facesDir} --json, ${RUNS} runs, each into a fresh data folder (files in the page cache):`)
  const cold = []
  const warm = []
  const touched = []
  // One image touched between the reopens: its times move, so the listing differs and the
  // folder is read whole (every label line matched again, only that image read).
  const imagesDir = join(facesDir, 'Manually_Annotated_Images')
  const firstFolder = join(imagesDir, readdirSync(imagesDir).sort()[0])
  const oneImage = join(firstFolder, readdirSync(firstFolder).sort()[0])
  for (let i = 0; i < RUNS; i++) {
    const home = join(scaleDir, `open-home-${i}`)
    rmSync(home, { recursive: true, force: true })
    try {
      const first = openOnce(facesDir, home)
      const again = openOnce(facesDir, home)
      utimesSync(oneImage, new Date(), new Date())
      const afterTouch = openOnce(facesDir, home)
      cold.push(first)
      warm.push(again)
      touched.push(afterTouch)
      console.log(
        `    run ${i + 1}: first open ${secs(first.ms)} (${first.images.toLocaleString()} images, peak RSS ${mb(first.rssKb)}; ` +
          `the duplicate search after it ${secs(first.searchMs)}), ` +
          `reopen ${secs(again.ms)}${again.reused ? ' (last scan reused)' : ''} (peak RSS ${mb(again.rssKb)}), ` +
          `reopen after one image was touched ${secs(afterTouch.ms)}${afterTouch.reused ? ' (the last scan reused: the touch was not seen)' : ''}`
      )
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  }
  const n = cold[0].images
  report(
    `first open, ${n.toLocaleString()} images (usable)`,
    median(cold.map((c) => c.ms)),
    secs(median(cold.map((c) => c.ms))),
    60_000,
    '60 s',
    `60 s needs 5,000 images/s, this run did ${Math.round(n / (median(cold.map((c) => c.ms)) / 1000))}: reading, hashing and probing each file on more cores (worker threads), measured on an idle machine first`
  )
  const search = median(cold.map((c) => c.searchMs))
  console.log(
    `    the duplicate search after the first open (in the app it runs behind the open, the dataset usable): ` +
      `${secs(search)}, ${Math.round(n / (search / 1000))} images/s decoded`
  )
  report(
    `reopen, ${n.toLocaleString()} images`,
    median(warm.map((c) => c.ms)),
    secs(median(warm.map((c) => c.ms))),
    5_000,
    '5 s',
    'a reused reopen is the listing (readdir and stat of every file, about 2.8 s here) and little else; stat shared over worker threads was tried and gained nothing on this machine'
  )
  console.log(
    `    reopen after one image was touched (the folder read whole): ${secs(median(touched.map((c) => c.ms)))} ` +
      `(listing, both label files read and matched again, one image read)`
  )
  const rss = Math.max(...cold.map((c) => c.rssKb), ...warm.map((c) => c.rssKb))
  report(`peak RSS of open (largest of ${RUNS * 2} runs)`, rss, mb(rss), 2 * 1024 * 1024, '2 GB')
}

// ---------------------------------------------------------------------------------------------
// 2. The 1M store, served.
if (!ONLY.has('store') && !ONLY.has('ui')) process.exit(0)
const storeFolder = join(scaleDir, `affectnet-store-${SAMPLES}`)
const models = join(scaleDir, 'models')
writeSyntheticModel(models, 'bench:scale')
console.log(`\n2. ${SAMPLES.toLocaleString()}-sample store in ${storeHome} (built once), served by pokerface serve`)
const t0 = performance.now()
const datasetId = buildStore({
  cliEntry,
  home: storeHome,
  folder: storeFolder,
  seed: join(scaleDir, 'store-seed'),
  facesDir,
  // The links need only some of the faces: the first 50,000 (sample i → face i mod 50,000).
  faces: faces ? Math.min(faces.images, 50_000) : JSON.parse(readFileSync(storeMarker, 'utf8')).params.faces,
  samples: SAMPLES,
  log: (line) => console.log(line)
})
if (ONLY.has('map') || ONLY.has('ui')) ensureEmbeddings({ home: storeHome, log: (line) => console.log(line) })
if (performance.now() - t0 > 5000) console.log(`  built in ${secs(performance.now() - t0)}`)

/** `pokerface serve` on the 1M store, and where to call it. */
async function serveStore() {
  const started = startServe(['--data-dir', storeHome], { env: { ...process.env, PF_MODELS_DIR: models }, timeoutMs: 120_000 })
  const url = new URL(await started.url)
  return { server: started.server, origin: url.origin, token: url.searchParams.get('token') }
}

/**
 * The first ranking in a server joins 1M samples to 1M predictions by content hash; ranking again
 * (the review's "Rank again", after relabelling) reuses the join (store/rankingInputs.ts). So each
 * first ranking is timed in a server of its own, started for it, before the one the rest uses.
 */
const firstRankings = []
if (ONLY.has('rank'))
  for (let i = 0; i < RUNS; i++) {
    const fresh = await serveStore()
    try {
      firstRankings.push(await call('rankLabelIssues', { datasetId, modelId: MODEL_ID }, fresh))
    } finally {
      await stopServe(fresh.server)
    }
  }

const { server, origin, token } = await serveStore()
const peakRssKb = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1] ?? NaN)
/** What would bring a querySamples case under 100 ms at 1M (issue 19 asks the script to say). */
function meetQuery(name) {
  if (name.startsWith('after a relabel'))
    return "the faces passing a filter kept across decisions and patched with each decision's faces, instead of found again after every write"
  if (name.includes('lasso'))
    return "the list's ids sent once per lasso rather than with every page: each page after the first is a slice of the faces the first read (kept until a write), but the request still carries and parses the 100,000 ids"
  if (name.startsWith('page:'))
    return 'keyset pages (rows after the last one shown: WHERE (score, id) > (?, ?)) instead of OFFSET, which walks every row before the page'
  if (/sort: (?!path)|likely wrong|margin/.test(name))
    return 'the orders are kept in memory and sorted once per ranking (~0.1 s each), but the first one after the server starts reads 1M scores (~2 s): the orders stored with the ranking as id arrays'
  return 'the total counted once per filter (cached until labelsChanged) rather than on every page, and an index covering the filter'
}

/** The most faces a lasso on the map passes to the grid (MAX_FILTER_IDS in src/shared/types.ts). */
const LASSO = 100_000
/** That many of the dataset's sample ids in a random order, as a lasso's (most similar first) would be. */
function lassoIds() {
  const db = new Database(join(storeHome, 'pokerface.sqlite'), { readonly: true })
  try {
    return db.prepare('SELECT id FROM samples WHERE dataset_id = ? ORDER BY random() LIMIT ?').pluck().all(datasetId, LASSO)
  } finally {
    db.close()
  }
}

async function call(name, args, at = { origin, token }) {
  const t = performance.now()
  const res = await fetch(`${at.origin}/api/call/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-pokerface-token': at.token },
    body: JSON.stringify(args)
  })
  const body = await res.json()
  if (body.error) throw new Error(`${name}: ${body.error.message}`)
  return { ms: performance.now() - t, result: body.result }
}
/** Median of RUNS calls; a call slower than `budgetMs` is not repeated (its one figure is the result). */
async function timed(name, args, budgetMs = Infinity) {
  const times = []
  let result
  for (let i = 0; i < RUNS; i++) {
    const r = await call(name, args)
    times.push(r.ms)
    result = r.result
    if (r.ms > budgetMs) break
  }
  return { ms: median(times), all: times, result }
}

/**
 * Times `request` right after a write, RUNS times: one face relabelled before each call and the
 * relabel undone after it, so the store is left as it was. Returns the times and the last answer.
 */
async function afterRelabel(request) {
  const face = (await call('querySamples', { datasetId, filter: {}, offset: 0, limit: 1 })).result.samples[0]
  const times = []
  let result
  for (let i = 0; i < RUNS; i++) {
    await call('setLabel', { datasetId, sampleIds: [face.id], label: face.currentLabel === 'fear' ? 'anger' : 'fear' })
    const r = await request()
    times.push(r.ms)
    result = r.result
    await call('undo', { datasetId })
  }
  return { times, result }
}

try {
  if (ONLY.has('store'))
    console.log(`  (every figure is a median of ${RUNS} through HTTP as the page calls it: request → JSON parsed)`)
  if (ONLY.has('rank')) {
    const args = { datasetId, modelId: MODEL_ID }
    const first = median(firstRankings.map((r) => r.ms))
    const predicted = firstRankings[0].result.predicted.toLocaleString()
    report(
      `rankLabelIssues, ${predicted} samples, first in a server`,
      first,
      secs(first),
      10_000,
      '10 s',
      'where its time goes, in an in-process probe (three fresh processes, 7.9-8.2 s): reading 1M samples while a second thread ' +
        'reads 1M predictions, and joining them by content hash, 3.7-3.8 s (about 1 µs a row a table in better-sqlite3); the scoring ' +
        '1.2-1.3 s (1M score objects); writing 1M score rows 2.9-3.1 s (DELETE 0.3, INSERT 1.9, the flagged index 0.3, commit 0.5): ' +
        'the scores stored per dataset as columns (as the neighbour lists are) rather than as 1M rows, and the scores made as columns ' +
        'too; ranking again already reuses the join'
    )
    console.log(
      `    [${firstRankings.map((r) => secs(r.ms)).join(', ')}]; the app's own count: ${firstRankings.map((r) => secs(r.result.durationMs)).join(', ')}`
    )
    // The join is kept from this server's first ranking on: what "Rank again" costs after relabelling.
    await call('rankLabelIssues', args)
    const again = await afterRelabel(() => call('rankLabelIssues', args))
    const againMs = median(again.times)
    report(
      `rankLabelIssues again after a relabel, ${predicted} samples`,
      againMs,
      secs(againMs),
      10_000,
      '10 s',
      'the scores stored per dataset as typed-array columns rather than as 1M rows (~3.5 s of writing)'
    )
    console.log(`    [${again.times.map(secs).join(', ')}]; the app's own count: ${secs(again.result.durationMs)}`)
  }
  if (ONLY.has('queries')) {
    const cases = [
      ['sort: path (scan order), no filter', { filter: {} }],
      ['sort: most likely wrong', { filter: {}, sort: { by: 'likelyWrong' } }],
      ['sort: combined (margin + poker face)', { filter: {}, sort: { by: 'combined' } }],
      ['sort: lowest self-confidence', { filter: {}, sort: { by: 'selfConfidence' } }],
      ['sort: lowest margin', { filter: {}, sort: { by: 'margin' } }],
      ['sort: poker-face mismatch', { filter: {}, sort: { by: 'intensityMismatch' } }],
      ['sort: most likely wrong, reversed', { filter: {}, sort: { by: 'likelyWrong', reverse: true } }],
      ['sort: path, reversed', { filter: {}, sort: { by: 'path', reverse: true } }],
      ['page: path, offset 500,000', { filter: {}, offset: 500_000 }],
      ['page: path, offset 999,700', { filter: {}, offset: SAMPLES - 300 }],
      ['page: most likely wrong, offset 500,000', { filter: {}, sort: { by: 'likelyWrong' }, offset: 500_000 }],
      ['filter: label = happiness', { filter: { currentLabel: 'happiness' } }],
      ['filter: label = happiness, most likely wrong', { filter: { currentLabel: 'happiness' }, sort: { by: 'likelyWrong' } }],
      ['filter: unlabelled', { filter: { currentLabel: null } }],
      ['filter: original label = sadness', { filter: { originalLabel: 'sadness' } }],
      ['filter: predicted = neutral', { filter: { predictedLabel: 'neutral' } }],
      [
        'filter: confusion cell sadness × neutral, likely wrong',
        { filter: { currentLabel: 'sadness', predictedLabel: 'neutral' }, sort: { by: 'likelyWrong' } }
      ],
      ['filter: split = valid', { filter: { split: 'valid' } }],
      ['filter: changed only', { filter: { changedOnly: true } }],
      ['filter: flagged only, most likely wrong', { filter: { flaggedOnly: true }, sort: { by: 'likelyWrong' } }],
      ['filter: reviewed', { filter: { reviewed: true } }],
      ['filter: not reviewed', { filter: { reviewed: false } }],
      [
        'filter: flagged + not reviewed, most likely wrong',
        { filter: { flaggedOnly: true, reviewed: false }, sort: { by: 'likelyWrong' } }
      ],
      ['filter: mark = exclude', { filter: { flag: 'exclude' } }],
      ['filter: trained on = unknown, margin', { filter: { inSample: 'unknown' }, sort: { by: 'margin' } }],
      // The store has no embeddings, neighbour lists or duplicate groups (synthetic predictions only): these
      // four give every face a null score or no group, so they time the query's path, not a real order.
      ['sort: neighbours labelled otherwise (all null here)', { filter: {}, sort: { by: 'neighbours' } }],
      ['sort: odd images (all null here)', { filter: {}, sort: { by: 'odd' } }],
      ['filter: odd-images queue (empty here)', { filter: { odd: true } }],
      ['filter: duplicates queue, leakage (empty here)', { filter: { duplicates: 'leakage' } }],
      [
        `filter: a lasso of ${LASSO.toLocaleString()} faces, most likely wrong`,
        () => ({ filter: { sampleIds: lassoIds() }, sort: { by: 'likelyWrong' } })
      ]
    ]
    console.log(`\n  querySamples at ${SAMPLES.toLocaleString()} (300 rows + the total count):`)
    for (const [name, args] of cases) {
      if (!CASES.test(name)) continue
      // A case's arguments may be made only when it runs (the lasso's ids take a second to pick).
      const r = await timed('querySamples', { datasetId, offset: 0, limit: 300, ...(typeof args === 'function' ? args() : args) })
      report(`${name} (${r.result.total.toLocaleString()} match)`, r.ms, msText(r.ms), 100, '100 ms', meetQuery(name))
      // Each run, the first included: totals are kept between requests until a write, so the first
      // call of a filter is the one that counts them.
      console.log(`    [${r.all.map(msText).join(', ')}]`)
    }
    // The researcher's loop: a face relabelled, then the view's first page asked again, as the grid
    // does after each decision (a write: what passes a filter is found again).
    const afterDecision = [
      ['after a relabel: most likely wrong', { filter: {}, sort: { by: 'likelyWrong' } }],
      [
        'after a relabel: flagged + not reviewed, most likely wrong',
        { filter: { flaggedOnly: true, reviewed: false }, sort: { by: 'likelyWrong' } }
      ],
      [
        'after a relabel: label = happiness, most likely wrong',
        { filter: { currentLabel: 'happiness' }, sort: { by: 'likelyWrong' } }
      ],
      ['after a relabel: path, label = happiness', { filter: { currentLabel: 'happiness' } }]
    ]
    for (const [name, args] of afterDecision) {
      if (!CASES.test(name)) continue
      const { times, result } = await afterRelabel(() => call('querySamples', { datasetId, offset: 0, limit: 300, ...args }))
      report(
        `${name} (${result.total.toLocaleString()} match)`,
        median(times),
        msText(median(times)),
        100,
        '100 ms',
        meetQuery(name)
      )
      console.log(`    [${times.map(msText).join(', ')}]`)
    }
  }
  if (ONLY.has('metrics')) {
    const metrics = await timed('getReviewMetrics', { datasetId })
    report(
      'getReviewMetrics (matrix, per class, distribution)',
      metrics.ms,
      msText(metrics.ms),
      100,
      '100 ms',
      'the label counts are kept (label_tally); what is left is counting the flagged samples (~11 ms) and the reviewed among them ' +
        "(~40 ms), and reading the marks with their samples' labels (~22 ms, warm): a flagged-and-reviewed count kept beside the tally"
    )
    console.log(`    [${metrics.all.map(msText).join(', ')}]`)
  }
  if (ONLY.has('map')) {
    // The first request computes the map (PCA) and stores it; the others read it back. Issue 17 asks
    // the map to be usable at 1M: these are the server's part (drawing is bench:ui's).
    const store = new Database(join(storeHome, 'pokerface.sqlite'))
    store.prepare('DELETE FROM embedding_maps').run()
    store.close()
    const first = await call('getEmbeddingMap', { datasetId })
    const again = await timed('getEmbeddingMap', { datasetId })
    // After a write the colours are read again.
    const afterWrite = (await afterRelabel(() => call('getEmbeddingMap', { datasetId }))).times
    const answer = JSON.stringify(again.result).length
    console.log(`\n  the embedding map of ${first.result.embeddings.toLocaleString()} faces (no target; issue 17: usable at 1M):`)
    console.log(`  ${'getEmbeddingMap, first (PCA computed and stored)'.padEnd(58)} ${secs(first.ms).padStart(12)}`)
    console.log(
      `  ${`getEmbeddingMap after a relabel (colours read; ${(answer / 1e6).toFixed(1)} MB answer)`.padEnd(58)} ${secs(median(afterWrite)).padStart(12)}`
    )
    console.log(`    [${afterWrite.map(secs).join(', ')}]`)
    console.log(`  ${'getEmbeddingMap again, nothing written (colours kept)'.padEnd(58)} ${secs(again.ms).padStart(12)}`)
    console.log(`    [${again.all.map(secs).join(', ')}]; the server's peak RSS so far ${mb(peakRssKb())}`)
  }
  if (ONLY.has('exports')) {
    const exportsDir = join(scaleDir, 'exports')
    rmSync(exportsDir, { recursive: true, force: true })
    mkdirSync(exportsDir, { recursive: true })
    for (const [format, target] of [
      ['csv', (i) => join(exportsDir, `cleaned-${i}.csv`)],
      ['source', (i) => join(exportsDir, `source-${i}`)]
    ]) {
      const times = []
      let rows = 0
      for (let i = 0; i < RUNS; i++) {
        const r = await call('exportLabels', { datasetId, format, path: target(i), overwrite: true })
        times.push(r.ms)
        rows = r.result.rows
        if (r.ms > 60_000) break
      }
      report(
        `exportLabels ${format} (${rows.toLocaleString()} rows)`,
        median(times),
        secs(median(times)),
        15_000,
        '15 s',
        format === 'csv'
          ? 'rows read with an iterator and written as they come, not 1M objects and one string'
          : 'the 1 GB training.csv is read whole and hashed (to check it is the file the scan read) and written back with fsync: reading it as a stream while hashing, and trusting size and times as the reopen does, would save the read into a fresh gigabyte'
      )
      console.log(`    [${times.map(secs).join(', ')}]`)
    }
    rmSync(exportsDir, { recursive: true, force: true })
    report(
      `peak RSS of the server (rank, queries, metrics, exports)`,
      peakRssKb(),
      mb(peakRssKb()),
      2 * 1024 * 1024,
      '2 GB',
      'the streaming exports below, and a ranking that reads its inputs into typed arrays'
    )
  }

  // -------------------------------------------------------------------------------------------
  // 3. Scrolling the grid at 1M in Chromium.
  if (ONLY.has('ui') && existsSync(CHROMIUM)) {
    const { chromium } = require('playwright-core')
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync'
      ]
    })
    try {
      const page = await browser.newPage({ viewport: { width: 1500, height: 950 } })
      page.on('pageerror', (e) => console.error(`  page error: ${e.message}`))
      const t = performance.now()
      await page.goto(`${url}&dataset=${datasetId}&sort=margin`)
      await page.locator('.tile img').first().waitFor({ timeout: 120_000 })
      const firstTiles = performance.now() - t
      await page.waitForFunction(() => [...document.querySelectorAll('.tile img')].every((i) => i.complete), null, {
        timeout: 120_000
      })
      console.log(
        `\n3. grid at ${SAMPLES.toLocaleString()} in Chromium (sorted by margin): page load → first tiles ${secs(firstTiles)}`
      )
      const scroll = (pxPerFrame, seconds) =>
        page.evaluate(
          ([pxPerFrame, seconds]) =>
            new Promise((done) => {
              const grid = document.querySelector('[data-testid="grid"]')
              const frames = []
              let blankFrames = 0
              let last = null
              const start = performance.now()
              const step = (now) => {
                if (last !== null) frames.push(now - last)
                last = now
                const box = grid.getBoundingClientRect()
                const blank = [...grid.querySelectorAll('.tile.loading')].some((t) => {
                  const r = t.getBoundingClientRect()
                  return r.bottom > box.top && r.top < box.bottom
                })
                if (blank) blankFrames++
                grid.scrollTop += pxPerFrame
                if (now - start < seconds * 1000 && grid.scrollTop + grid.clientHeight < grid.scrollHeight)
                  requestAnimationFrame(step)
                else done({ frames, blankFrames, scrollHeight: grid.scrollHeight })
              }
              requestAnimationFrame(step)
            }),
          [pxPerFrame, seconds]
        )
      const jump = (fraction) =>
        page.evaluate((fraction) => {
          const grid = document.querySelector('[data-testid="grid"]')
          grid.scrollTop = Math.floor(fraction * (grid.scrollHeight - grid.clientHeight))
        }, fraction)
      for (const [name, px, at] of [
        ['steady scroll, 40 px/frame, from the top', 40, 0],
        ['steady scroll, 40 px/frame, from the middle', 40, 0.5],
        ['fast fling, 400 px/frame, from the top', 400, 0],
        ['fast fling, 400 px/frame, from 90 %', 400, 0.9]
      ]) {
        const maxes = []
        let summary = ''
        for (let i = 0; i < RUNS; i++) {
          await jump(at)
          await page.waitForTimeout(300)
          const r = await scroll(px, 4)
          const sorted = [...r.frames].sort((a, b) => a - b)
          maxes.push(sorted.at(-1))
          if (i === RUNS - 1)
            summary = `${r.frames.length} frames, median ${msText(median(r.frames))}, ${r.frames.filter((f) => f > 50).length} over 50 ms, ${r.blankFrames} frames with a tile waiting for its page; grid ${r.scrollHeight.toLocaleString()} px tall`
        }
        report(
          `${name}: longest frame`,
          median(maxes),
          msText(median(maxes)),
          50,
          '50 ms',
          'the pages arrive in time (no tile waits for one), and tiles that come into view during a fling hold back their thumbnails ' +
            '(src/renderer/src/fling.ts; before, fetching, decoding and rastering ~3 new rows of them a frame made frames of 83-183 ms); ' +
            "what is left is Chromium's software raster and React mounting ~36 new tiles a frame: GPU raster"
        )
        console.log(`    [${maxes.map(msText).join(', ')}]; last run: ${summary}`)
      }
      // The map of every face (issue 17: usable at 1M), drawn each way in turn. No target: the issue
      // asks for usable; a frame of the CPU's drawing is what a pan or zoom waits for.
      console.log(`\n  the embedding map of ${SAMPLES.toLocaleString()} faces in Chromium (no GPU here: WebGL is SwiftShader):`)
      const mapShown = performance.now()
      await page.getByRole('button', { name: 'Map', exact: true }).click()
      await page.getByTestId('map-summary').waitFor({ timeout: 300_000 })
      console.log(
        `    Map tab clicked → the map's ${(await page.getByTestId('map-summary').textContent()).split(' ')[0]} faces shown: ${secs(performance.now() - mapShown)}`
      )
      await measureMapDrawings(page, {
        rounds: 1,
        openMap: async () => {
          await page.getByRole('button', { name: 'Faces', exact: true }).click()
          await page.getByRole('button', { name: 'Map', exact: true }).click()
        }
      })
    } finally {
      await browser.close()
    }
  }
  console.log(`\n  server peak RSS at the end: ${mb(peakRssKb())}`)
} finally {
  await stopServe(server)
}
const missed = results.filter((r) => !r.ok)
console.log(
  `\nbench:scale: ${results.length - missed.length} of ${results.length} figures within target${missed.length ? '; missed:' : ''}`
)
for (const m of missed) console.log(`  ${m.name}: ${m.text} (target < ${m.targetText})${m.meet ? ` — ${m.meet}` : ''}`)
