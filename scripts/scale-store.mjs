// The 1M-sample store of `npm run bench:scale` (issue 19): an AffectNet-format dataset written
// straight into a real PokerFace store, without scanning a million files.
//
// How it is made, so that the app reads it exactly as one it had scanned:
//  1. The app itself (`pokerface open`) opens a seed folder of 50 listed images: that creates the
//     database with the app's migrations, and a dataset row with the AffectNet format and options.
//  2. The folder beside it gets the real thing: `training.csv` / `validation.csv` with one row per
//     sample in AffectNet's layout, and `Manually_Annotated_Images/<dir>/<name>.jpg` for each
//     sample, a hard link to one of the generated faces (sample i → face i mod N), so thumbnails
//     and exports read real files. The dataset row is pointed at that folder.
//  3. Samples, their sources (file, line, token, extras), the label files' size/mtime/sha256, the
//     class counts and 1M predictions are written with SQL that mirrors src/main/store
//     (applyScanChanges, saveLabelFiles, saveDatasetFormat) and bench:ui's prediction insert. Each
//     sample has its own content hash (sha256 of its index; the files behind the links repeat, the
//     hashes do not), so there are 1M predictions, as a real 1M dataset would have.
//  4. Some review decisions, as a researcher half-way through would have: 2 % relabelled and 1 %
//     marked, each through a review action and event like those the app writes.
// The predictions are SYNTHETIC (random, mostly agreeing with the label): for timing only.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { SYNTHETIC_CLASSES, SYNTHETIC_MODEL_ID } from './lib.mjs'
import { AFFECTNET_HEADER, affectnetRow, imagePath, SIDES, writeLabelFiles } from './scale-data.mjs'

const require = createRequire(import.meta.url)
const EMOTIONS = SYNTHETIC_CLASSES
const MODEL_ID = SYNTHETIC_MODEL_ID
/** AffectNet expression id → the app's label (src/shared/formats/affectnet.ts). */
const AFFECTNET_LABEL = ['neutral', 'happiness', 'sadness', 'surprise', 'fear', 'disgust', 'anger', 'contempt', null, null, null]
const NO_LABEL_REASON = {
  8: 'AffectNet expression 8 (None): none of the eight emotions',
  9: 'AffectNet expression 9 (Uncertain)',
  10: 'AffectNet expression 10 (Non-Face): no face in the image'
}
const PREFIX = 'Manually_Annotated_Images/'
const STORE_VERSION = 1

function sha256(text) {
  return createHash('sha256').update(text).digest('hex')
}

/** The folder's label files and links (step 2); its own marker, as the generator's. */
function buildStoreFolder(folder, facesDir, faces, samples, log) {
  const markerFile = join(folder, 'COMPLETE.json')
  const params = { version: STORE_VERSION, samples, faces }
  if (existsSync(markerFile) && JSON.stringify(JSON.parse(readFileSync(markerFile, 'utf8')).params) === JSON.stringify(params))
    return
  rmSync(markerFile, { force: true })
  log(`  linking ${samples.toLocaleString()} images into ${folder} (once)…`)
  for (let d = 1; d <= 1000; d++) mkdirSync(join(folder, PREFIX, String(d)), { recursive: true })
  for (let i = 0; i < samples; i++) {
    const to = join(folder, PREFIX, imagePath(i))
    if (!existsSync(to)) linkSync(join(facesDir, PREFIX, imagePath(i % faces)), to)
  }
  log('  writing the label files…')
  writeLabelFiles(folder, samples, (i) => affectnetRow(i, SIDES[(i % faces) % SIDES.length]))
  writeFileSync(join(folder, 'COMPLETE.json'), JSON.stringify({ params, builtAt: new Date().toISOString() }))
}

/**
 * Builds (once) the store in `home` for `samples` samples over the folder `folder`, whose images link
 * to the first `faces` faces of `facesDir`. Returns the dataset id.
 */
export function buildStore({ cliEntry, home, folder, seed, facesDir, faces, samples, log = console.log }) {
  const marker = join(home, 'STORE-COMPLETE.json')
  const params = { version: STORE_VERSION, samples, faces, folder }
  if (existsSync(marker) && JSON.stringify(JSON.parse(readFileSync(marker, 'utf8')).params) === JSON.stringify(params))
    return JSON.parse(readFileSync(marker, 'utf8')).datasetId
  buildStoreFolder(folder, facesDir, faces, samples, log)

  // 1. The seed: 50 listed faces, opened by the app.
  rmSync(home, { recursive: true, force: true })
  rmSync(seed, { recursive: true, force: true })
  mkdirSync(join(seed, PREFIX), { recursive: true })
  const seedRows = [AFFECTNET_HEADER]
  for (let i = 0; i < 50; i++) {
    mkdirSync(join(seed, PREFIX, imagePath(i).split('/')[0]), { recursive: true })
    linkSync(join(facesDir, PREFIX, imagePath(i)), join(seed, PREFIX, imagePath(i)))
    seedRows.push(affectnetRow(i).line)
  }
  writeFileSync(join(seed, 'training.csv'), seedRows.join('\n') + '\n')
  writeFileSync(join(seed, 'validation.csv'), AFFECTNET_HEADER + '\n')
  const open = spawnSync(process.execPath, [cliEntry, 'open', seed, '--json', '--data-dir', home], { encoding: 'utf8' })
  if (open.status !== 0) throw new Error(open.stderr || open.stdout)

  const Database = require('better-sqlite3')
  const db = new Database(join(home, 'pokerface.sqlite'))
  db.pragma('journal_mode = WAL')
  db.pragma('foreign_keys = ON')
  const datasetId = db.prepare('SELECT id FROM datasets').pluck().get()
  const format = db.prepare('SELECT format, format_options, format_info FROM datasets WHERE id = ?').get(datasetId)
  if (format.format !== 'affectnet') throw new Error(`the seed opened as ${format.format}, not affectnet`)

  log(`  writing ${samples.toLocaleString()} samples, sources and predictions into ${home} (once)…`)
  const now = new Date().toISOString()
  const sizes = []
  const mtimes = []
  for (let f = 0; f < faces; f++) {
    const s = statSync(join(facesDir, PREFIX, imagePath(f)))
    sizes.push(s.size)
    mtimes.push(Math.trunc(s.mtimeMs))
  }
  let seedState = 42
  const random = () => (seedState = (seedState * 1664525 + 1013904223) >>> 0) / 2 ** 32
  const counts = new Map()
  db.transaction(() => {
    db.prepare('DELETE FROM samples WHERE dataset_id = ?').run(datasetId)
    db.prepare('DELETE FROM scan_problems WHERE dataset_id = ?').run(datasetId)
    db.prepare('UPDATE datasets SET root = ?, name = ? WHERE id = ?').run(folder, `affectnet-store-${samples}`, datasetId)
    // saveLabelFiles: above the keep limit (64 MB) the bytes are not kept; an export re-reads and checks them.
    db.prepare('DELETE FROM label_files WHERE dataset_id = ?').run(datasetId)
    const putFile = db.prepare(
      `INSERT INTO label_files (dataset_id, rel_path, size, mtime_ms, sha256, content, read_at) VALUES (?, ?, ?, ?, ?, NULL, ?)`
    )
    for (const name of ['training.csv', 'validation.csv']) {
      const bytes = readFileSync(join(folder, name))
      putFile.run(
        datasetId,
        name,
        bytes.length,
        Math.trunc(statSync(join(folder, name)).mtimeMs),
        createHash('sha256').update(bytes).digest('hex'),
        now
      )
    }
    // applyScanChanges' insert and source rows.
    const insert = db.prepare(
      `INSERT INTO samples (dataset_id, rel_path, size, mtime_ms, content_hash, split, original_label, current_label)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
    )
    const source = db.prepare(
      `INSERT INTO sample_sources (sample_id, label_file, line, token, excluded, extras) VALUES (?, ?, ?, ?, ?, ?)`
    )
    const predict = db.prepare(
      `INSERT OR REPLACE INTO predictions (content_hash, model_id, probabilities, predicted_label, confidence, attention, generated, created_at, emotion_intensity)
       VALUES (?, ?, ?, ?, ?, NULL, 0, ?, ?)`
    )
    const lines = { 'training.csv': 1, 'validation.csv': 1 }
    for (let i = 0; i < samples; i++) {
      const row = affectnetRow(i, SIDES[(i % faces) % SIDES.length])
      const file = row.valid ? 'validation.csv' : 'training.csv'
      const line = ++lines[file]
      const label = AFFECTNET_LABEL[row.expression]
      const fields = row.line.split(',')
      const hash = sha256(`pf-scale-store-${i}`)
      const id = insert.run(
        datasetId,
        PREFIX + imagePath(i),
        sizes[i % faces],
        mtimes[i % faces],
        hash,
        row.valid ? 'valid' : 'train',
        label,
        label
      ).lastInsertRowid
      const extras = { faceBox: fields.slice(1, 5).map(Number), valence: Number(fields[7]), arousal: Number(fields[8]) }
      source.run(id, file, line, String(row.expression), NO_LABEL_REASON[row.expression] ?? null, JSON.stringify(extras))
      counts.set(row.expression, (counts.get(row.expression) ?? 0) + 1)
      // bench:ui's synthetic scores: mostly agreeing with the label, as a decent model would.
      const top = label && random() < 0.7 ? EMOTIONS.indexOf(label) : Math.floor(random() * EMOTIONS.length)
      const raw = EMOTIONS.map((_, k) => (k === top ? 2 + 6 * random() : random()))
      const sum = raw.reduce((a, b) => a + b, 0)
      const p = raw.map((r) => Math.round((r / sum) * 1e6) / 1e6)
      const best = p.indexOf(Math.max(...p))
      predict.run(hash, MODEL_ID, JSON.stringify(p), EMOTIONS[best], p[best], now, Math.round(random() * 0.3 * 1e6) / 1e6)
    }
    // saveDatasetFormat: the class mapping with this folder's counts.
    const info = JSON.parse(format.format_info)
    for (const c of info.classes ?? []) c.count = counts.get(Number(c.id)) ?? 0
    db.prepare('UPDATE datasets SET format_info = ? WHERE id = ?').run(JSON.stringify(info), datasetId)

    // 4. Decisions, as src/main/store/reviewLog.ts writes them: one action per decision.
    const ids = db.prepare('SELECT id, current_label FROM samples WHERE dataset_id = ? ORDER BY id').all(datasetId)
    const action = db.prepare(
      `INSERT INTO review_actions (dataset_id, created_at, state, kind, summary) VALUES (?, ?, 'done', ?, ?)`
    )
    const event = db.prepare(
      `INSERT INTO review_events (sample_id, action_id, kind, old_value, new_value, source, created_at) VALUES (?, ?, ?, ?, ?, 'user', ?)`
    )
    const relabel = db.prepare('UPDATE samples SET current_label = ? WHERE id = ?')
    const mark = db.prepare('INSERT OR IGNORE INTO flags (sample_id, flag, created_at) VALUES (?, ?, ?)')
    const MARKS = ['keep', 'not_a_face', 'ambiguous', 'exclude']
    for (const s of ids) {
      const r = random()
      if (r < 0.02) {
        const to = EMOTIONS[Math.floor(random() * EMOTIONS.length)]
        if (to === s.current_label) continue
        const a = action.run(datasetId, now, 'label', `labelled ${s.id} ${to}`).lastInsertRowid
        event.run(s.id, a, 'label', s.current_label, to, now)
        relabel.run(to, s.id)
      } else if (r < 0.03) {
        const flag = MARKS[Math.floor(random() * MARKS.length)]
        const a = action.run(datasetId, now, 'mark', `marked ${s.id} ${flag}`).lastInsertRowid
        event.run(s.id, a, 'mark', null, flag, now)
        mark.run(s.id, flag, now)
      }
    }
  })()
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
  rmSync(seed, { recursive: true, force: true })
  writeFileSync(marker, JSON.stringify({ params, datasetId, builtAt: new Date().toISOString() }))
  return datasetId
}

/**
 * Gives every prediction of the store in `home` a synthetic 192-d embedding (once; ~0.8 GB at 1M),
 * so that bench:scale times the embedding map at that size. Each vector is its predicted class's
 * fixed centre plus noise, so the map has some shape; like the predictions, for timing only.
 * Written in content-hash order: the embeddings table is keyed by it (WITHOUT ROWID).
 */
export function ensureEmbeddings({ home, dim = 192, log = console.log }) {
  const Database = require('better-sqlite3')
  const db = new Database(join(home, 'pokerface.sqlite'))
  try {
    const have = db.prepare('SELECT count(*) FROM embeddings WHERE model_id = ?').pluck().get(MODEL_ID)
    const want = db.prepare('SELECT count(*) FROM predictions WHERE model_id = ?').pluck().get(MODEL_ID)
    if (have === want) return
    log(`  writing ${want.toLocaleString()} synthetic ${dim}-d embeddings into ${home} (once)…`)
    let seedState = 7
    const random = () => (seedState = (seedState * 1664525 + 1013904223) >>> 0) / 2 ** 32
    const centres = EMOTIONS.map(() => Float32Array.from({ length: dim }, () => random() * 2 - 1))
    const put = db.prepare('INSERT OR REPLACE INTO embeddings (content_hash, model_id, dim, vector) VALUES (?, ?, ?, ?)')
    const rows = db
      .prepare('SELECT content_hash, predicted_label FROM predictions WHERE model_id = ? ORDER BY content_hash')
      .raw()
      .all(MODEL_ID)
    const vector = new Float32Array(dim)
    db.transaction(() => {
      for (const [hash, label] of rows) {
        const centre = centres[Math.max(0, EMOTIONS.indexOf(label))]
        for (let j = 0; j < dim; j++) vector[j] = centre[j] + (random() - 0.5) * 1.5
        put.run(hash, MODEL_ID, dim, Buffer.from(vector.buffer))
      }
    })()
    db.pragma('wal_checkpoint(TRUNCATE)')
  } finally {
    db.close()
  }
}
