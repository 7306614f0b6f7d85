import { readFileSync } from 'node:fs'
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import sharp from 'sharp'
import { createContext } from '@main/api/context'
import { createApiHandlers } from '@main/api/service'
import { EMOTIONS, type Emotion } from '@shared/emotions'
import type { FormatId, FormatOptions } from '@shared/formats/types'
import { FERPLUS_DIR, ferplusMajority, tempDir } from './data'

/**
 * Datasets in each format's shape, built in a temp folder from real FERPlus faces (../shared/data)
 * and their real labels: every fixture holds faces a researcher would meet, only the file layout
 * is made here.
 */

export interface Face {
  /** e.g. fer0028638.png */
  name: string
  /** FER2013Valid/fer0028638.png, relative to FERPLUS_DIR */
  ferplusPath: string
  /** FERPlus majority label. */
  label: Emotion
}

/** The first `perClass` faces of each class in FER2013Valid (file order), with their majority labels. */
export function pickFaces(perClass: number, classes: readonly Emotion[] = EMOTIONS): Face[] {
  const counts = new Map<string, number>()
  const faces: Face[] = []
  for (const [name, label] of ferplusMajority('FER2013Valid')) {
    if (!classes.includes(label as Emotion)) continue
    const n = counts.get(label) ?? 0
    if (n >= perClass) continue
    counts.set(label, n + 1)
    faces.push({ name, ferplusPath: `FER2013Valid/${name}`, label: label as Emotion })
  }
  return faces
}

/** The real label.csv line of each image of a FERPlus split folder. */
export function realVoteLines(split: 'FER2013Train' | 'FER2013Valid' | 'FER2013Test'): Map<string, string> {
  const lines = readFileSync(join(FERPLUS_DIR, split, 'label.csv'), 'utf8').split('\n')
  return new Map(lines.filter(Boolean).map((l) => [l.slice(0, l.indexOf(',')), l]))
}

/** The real fer2013new.csv rows by image name (first occurrence). */
export function realNewVoteRows(): { header: string; rows: Map<string, string> } {
  const [header, ...lines] = readFileSync(join(FERPLUS_DIR, 'fer2013new.csv'), 'utf8').split('\n')
  const rows = new Map<string, string>()
  for (const l of lines) {
    const name = l.split(',')[1]
    if (name && !rows.has(name)) rows.set(name, l)
  }
  return { header, rows }
}

/** FER2013's original 7-class label and row of each FERPlus Train/Valid image (fer2013_original_labels.csv). */
export function originalFer2013Labels(): Map<string, { row: number; usage: string; label: string }> {
  const lines = readFileSync(join(FERPLUS_DIR, 'fer2013_original_labels.csv'), 'utf8').trim().split('\n').slice(1)
  return new Map(
    lines.map((l) => {
      const [png, row, usage, label] = l.split(',')
      return [png, { row: Number(row), usage, label }]
    })
  )
}

export async function write(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, content)
}

/** A real face as a JPEG (RAF-DB and AffectNet ship JPEGs). */
export async function writeJpeg(face: Face, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true })
  await sharp(join(FERPLUS_DIR, face.ferplusPath)).jpeg({ quality: 95 }).toFile(target)
}

export async function copyFace(face: Face, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true })
  await copyFile(join(FERPLUS_DIR, face.ferplusPath), target)
}

/** The 48×48 greyscale pixels of a real face. */
export async function facePixels(face: Face): Promise<Uint8Array> {
  const { data, info } = await sharp(join(FERPLUS_DIR, face.ferplusPath)).greyscale().raw().toBuffer({ resolveWithObject: true })
  if (info.width !== 48 || info.height !== 48 || info.channels !== 1)
    throw new Error(`unexpected image shape ${JSON.stringify(info)}`)
  return new Uint8Array(data)
}

/** Opens a folder through the real API (real SQLite file in a temp data folder). */
export async function openThroughApi(root: string, request: { format?: FormatId | 'auto'; options?: FormatOptions } = {}) {
  const ctx = createContext(await tempDir('pf-home-'), '0.0.0')
  const api = createApiHandlers(ctx)
  const opened = await api.openDataset({ root, ...request })
  const samples = (await api.querySamples({ datasetId: opened.dataset.id, filter: {}, offset: 0, limit: 2000 })).samples
  return { ctx, api, ...opened, samples }
}

/** Exports in the source format into a fresh folder and returns the folder. */
export async function exportSource(api: ReturnType<typeof createApiHandlers>, datasetId: number, out?: string): Promise<string> {
  const folder = out ?? join(await tempDir('pf-out-'), 'labels')
  await api.exportLabels({ datasetId, format: 'source', path: folder, overwrite: out !== undefined })
  return folder
}

/** Line numbers (0-based) where two texts differ. */
export function differingLines(a: string, b: string): number[] {
  const x = a.split('\n')
  const y = b.split('\n')
  return [...Array(Math.max(x.length, y.length)).keys()].filter((i) => x[i] !== y[i])
}
