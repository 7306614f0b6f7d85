// The synthetic AffectNet-format data of `npm run bench:scale` (issue 19): a folder of real-sized JPEG
// faces with `training.csv` / `validation.csv` in AffectNet's own column layout, built once and kept
// outside the repository (PF_SCALE_DIR, default ../pf-scale beside the project).
//
// The faces are ../shared/data/muxspace_fe's 4,124 real photos, each output a different crop,
// mirror, brightness and size of one of them, re-encoded, so every file has its own content hash
// (a scan must read and hash each one, as it would a real AffectNet). Sizes are 224–416 px square
// (seven steps of 32, median 320): AffectNet's manually annotated images are face crops of a few
// hundred pixels, and this range brackets the sizes models are fed (224) and the crops as shipped;
// JPEG quality 85 (4:2:0), about 20 KB a face. Labels follow AffectNet's training-set class
// proportions (expressions 0–10, None/Uncertain/Non-Face included, valence and arousal -2 for
// those as AffectNet writes them); face boxes and 68 landmarks are plausible numbers, not real ones.
//
// Resumable and idempotent: images are written in chunks of 1,000 and `progress.json` (with the
// parameters) records each finished chunk; a rerun picks up at the first unfinished one (redoing it
// whole, since every image is a pure function of its index). The label files are written last,
// through a temp name, and `COMPLETE.json` (the parameters, the image count, bytes) last of all: a
// folder without it — or whose marker names other parameters — is never taken as a finished dataset.
// Image i does not depend on N, so a finished folder of N images grows to a larger N (its marker and
// label files are withdrawn first); a smaller N than a folder holds is refused, since the extra
// images would open as unlabelled samples.
import { createHash } from 'node:crypto'
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync
} from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const AFFECTNET_HEADER =
  'subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal'
/** AffectNet's training.csv counts per expression 0–10 (Mollahosseini et al. 2017, table 3). */
const CLASS_COUNTS = [74874, 134415, 25459, 14090, 6378, 3803, 24882, 3750, 33088, 11645, 82414]
const CLASS_TOTAL = CLASS_COUNTS.reduce((a, b) => a + b, 0)
/** validation.csv's share of the manually annotated lists (5,500 of 420,299). */
const VALID_SHARE = 5500 / (CLASS_TOTAL + 5500)
export const SIDES = [224, 256, 288, 320, 352, 384, 416]
const QUALITY = 85
const CHUNK = 1000
const VERSION = 1

/** Deterministic per-index random numbers (no state shared between indices). */
function rng(i, salt) {
  let x = (Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca77)) >>> 0
  return () => {
    x = (x + 0x6d2b79f5) >>> 0
    let t = x
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function expressionOf(r) {
  let x = r * CLASS_TOTAL
  for (let c = 0; c < CLASS_COUNTS.length; c++) if ((x -= CLASS_COUNTS[c]) < 0) return c
  return 1
}

/** The relative path AffectNet would list: `<folder number>/<hex name>.jpg`. */
export function imagePath(i) {
  const name = createHash('sha1').update(`pf-scale-${i}`).digest('hex')
  return `${1 + (i % 1000)}/${name}.jpg`
}

/**
 * The CSV row (and split) of image i, whose file is `side` pixels square. Landmarks: a mean
 * 68-point face shape scaled into the box, jittered; two decimals as AffectNet writes them.
 */
export function affectnetRow(i, side = SIDES[i % SIDES.length]) {
  const r = rng(i, 7)
  const expression = expressionOf(r())
  const valid = r() < VALID_SHARE
  const box = Math.round(side * 0.8)
  const off = Math.round(side * 0.1)
  const marks = []
  for (let k = 0; k < 68; k++) {
    const a = (k / 68) * 2 * Math.PI
    marks.push((off + box * (0.5 + 0.4 * Math.cos(a)) + (r() - 0.5) * 4).toFixed(2))
    marks.push((off + box * (0.5 + 0.4 * Math.sin(a)) + (r() - 0.5) * 4).toFixed(2))
  }
  const va = expression >= 8 ? ['-2', '-2'] : [(r() * 2 - 1).toFixed(6), (r() * 2 - 1).toFixed(6)]
  const line = [imagePath(i), off, off, box, box, marks.join(';'), expression, ...va].join(',')
  return { line, valid, expression }
}

/**
 * Writes AffectNet's two label files for rows 0..n-1 (`rowOf(i)` → affectnetRow) through temp names,
 * a batch of lines at a time: at 1M rows each file is near 1 GB, more than one JS string can hold.
 * Returns the rows in each.
 */
export function writeLabelFiles(dir, n, rowOf = (i) => affectnetRow(i)) {
  const out = {}
  for (const name of ['training.csv', 'validation.csv']) {
    const fd = openSync(join(dir, `${name}.tmp`), 'w')
    out[name] = { fd, rows: 0, batch: [AFFECTNET_HEADER] }
  }
  const flush = (f) => {
    writeSync(f.fd, f.batch.join('\n') + '\n')
    f.batch = []
  }
  for (let i = 0; i < n; i++) {
    const row = rowOf(i)
    const f = out[row.valid ? 'validation.csv' : 'training.csv']
    f.batch.push(row.line)
    f.rows++
    if (f.batch.length >= 10_000) flush(f)
  }
  for (const [name, f] of Object.entries(out)) {
    if (f.batch.length) flush(f)
    closeSync(f.fd)
    renameSync(join(dir, `${name}.tmp`), join(dir, name))
  }
  return { training: out['training.csv'].rows, validation: out['validation.csv'].rows }
}

function sourceFaces(dataDir) {
  const root = join(dataDir, 'muxspace_fe')
  const files = []
  for (const cls of readdirSync(root, { withFileTypes: true })) {
    if (!cls.isDirectory()) continue
    for (const f of readdirSync(join(root, cls.name)).sort()) if (f.endsWith('.jpg')) files.push(join(root, cls.name, f))
  }
  return files.sort()
}

/** Image i: one source face, cropped, maybe mirrored, brightened or darkened, resized, re-encoded. */
async function makeImage(sharp, sources, i) {
  const r = rng(i, 3)
  const src = sources[i % sources.length]
  const side = SIDES[i % SIDES.length]
  const crop = Math.round(src.size * (0.78 + 0.22 * r()))
  const left = Math.floor((src.size - crop) * r())
  const top = Math.floor((src.size - crop) * r())
  let img = sharp(src.pixels, { raw: { width: src.size, height: src.size, channels: 3 } }).extract({
    left,
    top,
    width: crop,
    height: crop
  })
  if (r() < 0.5) img = img.flop()
  return img
    .linear(0.85 + 0.3 * r(), (r() - 0.5) * 20)
    .resize(side, side)
    .jpeg({ quality: QUALITY })
    .toBuffer()
}

function scaleParams() {
  return { version: VERSION, sides: SIDES, jpegQuality: QUALITY, source: 'muxspace_fe', chunk: CHUNK }
}

function readMarker(dir) {
  const file = join(dir, 'COMPLETE.json')
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null
}

/**
 * Builds (or finishes building) the N-image AffectNet-format folder `dir`. Returns its marker.
 * `log` gets a progress line now and then.
 */
export async function buildAffectNet(dir, n, dataDir, log = console.log) {
  const params = scaleParams()
  const marker = readMarker(dir)
  if (marker) {
    if (JSON.stringify(marker.params) !== JSON.stringify(params))
      throw new Error(`${dir} holds a dataset built with other parameters; remove it or set PF_SCALE_DIR`)
    if (marker.images === n) return marker
    if (marker.images > n)
      throw new Error(
        `${dir} holds ${marker.images} images, more than ${n}: set BENCH_SCALE_IMAGES=${marker.images} or PF_SCALE_DIR`
      )
    // Growing: withdraw the marker first, so a crash from here on leaves an unfinished folder.
    unlinkSync(join(dir, 'COMPLETE.json'))
  }
  const { default: sharp } = await import('sharp')
  const progressFile = join(dir, 'progress.json')
  mkdirSync(dir, { recursive: true })
  let chunksDone = 0
  if (existsSync(progressFile)) {
    const p = JSON.parse(readFileSync(progressFile, 'utf8'))
    if (JSON.stringify(p.params) !== JSON.stringify(params))
      throw new Error(`${dir} is a partial build with other parameters; remove it or set PF_SCALE_DIR`)
    chunksDone = Math.floor(p.imagesDone / CHUNK)
  }
  const files = sourceFaces(dataDir)
  if (files.length === 0) throw new Error(`no source faces in ${join(dataDir, 'muxspace_fe')}`)
  // Every source decoded once, to 448 px RGB (the crops are taken from these pixels).
  const SRC = 448
  const sources = []
  for (const f of files.slice(0, 1024))
    sources.push({
      size: SRC,
      pixels: await sharp(f).removeAlpha().toColourspace('srgb').resize(SRC, SRC, { fit: 'cover' }).raw().toBuffer()
    })
  const imagesDir = join(dir, 'Manually_Annotated_Images')
  const chunks = Math.ceil(n / CHUNK)
  const started = performance.now()
  const firstChunk = chunksDone
  for (let c = chunksDone; c < chunks; c++) {
    const jobs = []
    for (let i = c * CHUNK; i < Math.min(n, (c + 1) * CHUNK); i++) jobs.push(i)
    // A few in flight: libvips works on one while the next is prepared.
    const inFlight = 4
    let next = 0
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < jobs.length) {
          const i = jobs[next++]
          const rel = imagePath(i)
          const folder = join(imagesDir, rel.slice(0, rel.indexOf('/')))
          if (!existsSync(folder)) mkdirSync(folder, { recursive: true })
          await writeFile(join(imagesDir, rel), await makeImage(sharp, sources, i))
        }
      })
    )
    writeFileSync(progressFile + '.tmp', JSON.stringify({ params, imagesDone: Math.min(n, (c + 1) * CHUNK) }))
    renameSync(progressFile + '.tmp', progressFile)
    if ((c + 1) % 10 === 0 || c + 1 === chunks) {
      const rate = ((c + 1 - firstChunk) * CHUNK) / ((performance.now() - started) / 1000)
      log(`  ${Math.min(n, (c + 1) * CHUNK).toLocaleString()} / ${n.toLocaleString()} images (${Math.round(rate)}/s)`)
    }
  }
  const counts = writeLabelFiles(dir, n)
  let bytes = 0
  for (let i = 0; i < n; i++) bytes += statSync(join(imagesDir, imagePath(i))).size
  const done = {
    params,
    images: n,
    ...counts,
    imageBytes: bytes,
    meanImageBytes: Math.round(bytes / n),
    builtAt: new Date().toISOString()
  }
  writeFileSync(join(dir, 'COMPLETE.json.tmp'), JSON.stringify(done, null, 2))
  renameSync(join(dir, 'COMPLETE.json.tmp'), join(dir, 'COMPLETE.json'))
  return done
}
