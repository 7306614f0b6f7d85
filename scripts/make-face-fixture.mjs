#!/usr/bin/env node
// Re-makes test/fixtures/faces/: the small face dataset the tests run the review loop on in a fresh
// clone (no ../shared/data needed). Faces come from the six MIT-licensed group photos of the npm
// package @vladmandic/face-api (../shared/data/photos), found and aligned by the app's own detector
// (`pokerface faces`), then shrunk to 64 px grey PNGs and filed as an ImageFolder under the labels below.
// Run once, look at the crops, commit them; the tests never run this.
//
//   npm run build && node scripts/make-face-fixture.mjs      (PF_DATA_DIR overrides ../shared/data)
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import sharp from 'sharp'
import { cliEntry, ensureBuilt, root } from './lib.mjs'

const SIZE = 64
const OUT = join(root, 'test', 'fixtures', 'faces')
const photos = join(resolve(process.env.PF_DATA_DIR ?? join(root, '..', 'shared', 'data')), 'photos')

/**
 * Every face the detector finds in the photos, with the centre of its box (photo pixels) so that a
 * changed detector cannot move a label onto another face unnoticed. `label` is the folder it is
 * filed under; `reading` is what a tester saw in the face where the label is deliberately wrong.
 */
const DETECTED = [
  { face: 'sample1__face1', centre: [514, 503], split: 'train', label: 'neutral' },
  { face: 'sample1__face2', centre: [939, 557], split: 'train', label: 'neutral' },
  { face: 'sample1__face3', centre: [1568, 341], split: 'test', label: 'happy' },
  // Not a face: a blurred patch of wall the detector took for one. Filed as neutral on purpose.
  { face: 'sample2__face1', centre: [463, 294], split: 'train', label: 'neutral', reading: 'not a face' },
  { face: 'sample2__face2', centre: [983, 366], split: 'train', label: 'neutral' },
  { face: 'sample2__face3', centre: [1558, 292], split: 'test', label: 'neutral' },
  { face: 'sample3__face1', centre: [692, 485], split: 'train', label: 'happy' },
  { face: 'sample3__face2', centre: [1188, 383], split: 'test', label: 'happy' },
  { face: 'sample3__face3', centre: [1582, 459], split: 'train', label: 'sad', reading: 'happiness (a wide smile)' },
  { face: 'sample4__face1', centre: [325, 334], split: 'test', label: 'neutral' },
  { face: 'sample4__face2', centre: [759, 208], split: 'train', label: 'happy', reading: 'neutral' },
  { face: 'sample4__face3', centre: [1078, 325], split: 'train', label: 'happy' },
  { face: 'sample4__face4', centre: [1371, 294], split: 'train', label: 'happy' },
  { face: 'sample5__face1', centre: [462, 1044], split: 'train', label: 'happy' },
  { face: 'sample5__face2', centre: [670, 558], split: 'test', label: 'angry', reading: 'happiness (a grin)' },
  { face: 'sample5__face3', centre: [860, 241], split: 'train', label: 'happy' },
  { face: 'sample5__face4', centre: [1203, 350], split: 'test', label: 'happy' },
  { face: 'sample5__face5', centre: [1523, 541], split: 'train', label: 'neutral' },
  { face: 'sample6__face1', centre: [351, 647], split: 'test', label: 'happy' },
  { face: 'sample6__face2', centre: [780, 498], split: 'train', label: 'surprise', reading: 'happiness (a wide smile)' },
  { face: 'sample6__face3', centre: [1268, 465], split: 'train', label: 'neutral' },
  { face: 'sample6__face4', centre: [1589, 435], split: 'train', label: 'happy' }
]

/** The one face the detector misses (sample2, far left: a profile, finger at the lips), boxed by hand. */
const BOXED = [
  {
    face: 'sample2__box1',
    photo: 'sample2.jpg',
    box: { left: 300, top: 150, width: 280, height: 280 },
    split: 'train',
    label: 'happy'
  }
]

/** How far (photo pixels) a detected box centre may move before the script refuses to file it. */
const CENTRE_TOLERANCE = 12

if (!existsSync(join(photos, 'sample1.jpg'))) {
  console.error(`make-face-fixture: the face-api photos are not at ${photos} (set PF_DATA_DIR to the folder holding photos/)`)
  process.exit(2)
}
ensureBuilt()

const work = mkdtempSync(join(tmpdir(), 'pf-face-fixture-'))
try {
  const crops = join(work, 'faces')
  const run = spawnSync(process.execPath, [cliEntry, 'faces', photos, '--out', crops, '--json'], { encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`pokerface faces failed (${run.status}):\n${run.stderr}`)

  const found = new Map()
  for (const row of readFileSync(join(crops, 'faces.csv'), 'utf8').trim().split('\n').slice(1)) {
    const [path, , , , x, y, w, h] = row.split(',')
    found.set(path.replace(/\.png$/, ''), [Number(x) + Number(w) / 2, Number(y) + Number(h) / 2])
  }
  const problems = []
  for (const { face, centre } of DETECTED) {
    const at = found.get(face)
    if (!at) problems.push(`${face}: not found by the detector any more`)
    else if (Math.hypot(at[0] - centre[0], at[1] - centre[1]) > CENTRE_TOLERANCE)
      problems.push(`${face}: box centre moved from ${centre} to ${at.map(Math.round)}`)
    found.delete(face)
  }
  for (const face of found.keys()) problems.push(`${face}: a new detection with no label`)
  // Refuse rather than guess: a label on the wrong face would make the fixture's "wrong labels" lie.
  if (problems.length > 0) throw new Error(`the detector's faces differ from the label table:\n  ${problems.join('\n  ')}`)

  for (const split of ['train', 'test']) await rm(join(OUT, split), { recursive: true, force: true })
  const save = async (image, { face, split, label }) => {
    await mkdir(join(OUT, split, label), { recursive: true })
    // Grey like FER2013/FERPlus, which the shipped model learnt from: on these colour crops it calls
    // nearly every face neutral, in grey it reads them as a person does (and finds the wrong labels).
    // No metadata, maximum compression: the fixture lives in git.
    await image
      .resize(SIZE, SIZE)
      .grayscale()
      .toColourspace('b-w')
      .png({ compressionLevel: 9, palette: false })
      .toFile(join(OUT, split, label, `${face}.png`))
  }
  for (const entry of DETECTED) await save(sharp(join(crops, `${entry.face}.png`)), entry)
  for (const entry of BOXED) await save(sharp(join(photos, entry.photo)).extract(entry.box), entry)

  const all = [...DETECTED, ...BOXED]
  console.log(`${all.length} faces → ${OUT}`)
  for (const e of all.filter((e) => e.reading))
    console.log(`  deliberately wrong: ${e.split}/${e.label}/${e.face}.png (a tester reads ${e.reading})`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
