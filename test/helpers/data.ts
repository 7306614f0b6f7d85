import { existsSync, readFileSync } from 'node:fs'
import { copyFile, cp, mkdir, mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import sharp from 'sharp'
import { EMOTIONS, normaliseLabel } from '@shared/emotions'

/** Real data lives beside the project (never inside it); PF_DATA_DIR overrides where. */
export const DATA_DIR = resolve(process.env.PF_DATA_DIR ?? join(__dirname, '..', '..', '..', 'shared', 'data'))
export const FERPLUS_DIR = join(DATA_DIR, 'ferplus')
export const HAS_FERPLUS = existsSync(join(FERPLUS_DIR, 'FER2013Train', 'label.csv'))
export const NO_FERPLUS_REASON = `FERPlus data not found at ${FERPLUS_DIR} (set PF_DATA_DIR to the folder holding ferplus/)`

/**
 * The committed face fixture (test/fixtures/faces/README.md): faces cropped from the MIT-licensed
 * face-api demo photos, as an ImageFolder with train/ and test/ splits, so that the review loop runs
 * in a fresh clone with nothing beside it. Remade by scripts/make-face-fixture.mjs.
 */
export const FACE_FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'faces')

/** The fixture's labels that are wrong on purpose (the README's list): file → what a tester reads. */
export const FACE_FIXTURE_WRONG: Readonly<Record<string, string>> = {
  'train/sad/sample3__face3.png': 'happiness',
  'train/surprise/sample6__face2.png': 'happiness',
  'train/happy/sample4__face2.png': 'neutral',
  'test/angry/sample5__face2.png': 'happiness',
  'train/neutral/sample2__face1.png': 'not a face'
}

/**
 * A copy of the face fixture at `target` (tests open copies: the committed folder stays as it is,
 * whatever a test exports into its dataset), with each face's path and the label its folder gives.
 */
export async function copyFaceFixture(target: string): Promise<{ relPath: string; split: string; label: string }[]> {
  await cp(FACE_FIXTURE_DIR, target, { recursive: true })
  const files: { relPath: string; split: string; label: string }[] = []
  for (const split of ['train', 'test']) {
    for (const folder of await readdir(join(target, split))) {
      for (const name of await readdir(join(target, split, folder))) {
        files.push({ relPath: `${split}/${folder}/${name}`, split, label: normaliseLabel(folder) })
      }
    }
  }
  return files.sort((a, b) => a.relPath.localeCompare(b.relPath))
}

/** A fresh folder for one test, inside the run's folder that test/setup/tempRoot.ts removes at the end. */
export async function tempDir(prefix = 'pf-test-'): Promise<string> {
  return mkdtemp(join(process.env.PF_TEST_ROOT ?? tmpdir(), prefix))
}

/** A small real PNG made by sharp (a flat colour), for tests that need no real faces. */
export async function writePng(path: string, shade = 128, size = 48): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true })
  await sharp({ create: { width: size, height: size, channels: 3, background: { r: shade, g: shade, b: shade } } })
    .png()
    .toFile(path)
}

/** FERPlus majority label of each image in a split folder (the benchmark protocol in data/README.md). */
export function ferplusMajority(split: 'FER2013Train' | 'FER2013Valid' | 'FER2013Test'): Map<string, string> {
  const out = new Map<string, string>()
  for (const line of readFileSync(join(FERPLUS_DIR, split, 'label.csv'), 'utf8').split('\n')) {
    const m = /^([^,]+),"[^"]*",(.*)$/.exec(line.trim())
    if (!m) continue
    const votes = m[2]
      .split(',')
      .map(Number)
      .map((v) => (v === 1 ? 0 : v))
    const sum = votes.reduce((a, b) => a + b, 0)
    const best = votes.indexOf(Math.max(...votes))
    if (best < 8 && votes[best] * 2 > sum) out.set(m[1], EMOTIONS[best])
  }
  return out
}

/**
 * A dataset in ImageFolder shape built from real FERPlus faces: `<split>/<class folder>/<file>`,
 * with folder names in the spellings researchers use (angry, happy…) so alias handling is exercised.
 */
export async function buildFerplusImageFolder(
  target: string,
  perClass: number
): Promise<{ files: { relPath: string; label: string }[] }> {
  const folderName: Record<string, string> = {
    neutral: 'neutral',
    happiness: 'happy',
    surprise: 'surprised',
    sadness: 'sad',
    anger: 'angry',
    disgust: 'disgust',
    fear: 'fearful',
    contempt: 'contempt'
  }
  const files: { relPath: string; label: string }[] = []
  const counts = new Map<string, number>()
  for (const [name, label] of ferplusMajority('FER2013Valid')) {
    const n = counts.get(label) ?? 0
    if (n >= perClass) continue
    counts.set(label, n + 1)
    const relPath = `train/${folderName[label]}/${name}`
    await mkdir(join(target, 'train', folderName[label]), { recursive: true })
    await copyFile(join(FERPLUS_DIR, 'FER2013Valid', name), join(target, relPath))
    files.push({ relPath, label })
  }
  return { files }
}

/** Artefacts tests keep for a person to look at (screenshots, crops). */
export const ROOT_TEST_RESULTS = join(__dirname, '..', '..', 'test-results')
