import { stat, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FacePhotoLink } from '@shared/types'

/** The file `extractFaces` writes beside the crops, linking each to its photo. */
export const LINKS_FILE = 'faces.csv'

/** Parses faces.csv (the columns extractFaces writes) into crop path → link. Bad lines are skipped. */
export function parseFaceLinks(text: string): Map<string, FacePhotoLink> {
  const lines = text.split(/\r?\n/)
  const header = lines[0]?.split(',') ?? []
  const col = (name: string): number => header.indexOf(name)
  const at = { face: col('face_path'), photo: col('photo_path'), index: col('face_index'), score: col('score') }
  const links = new Map<string, FacePhotoLink>()
  if (Object.values(at).some((i) => i < 0)) return links
  for (const line of lines.slice(1)) {
    // Paths with commas are quoted by csvField; split respecting quotes.
    const fields = [...line.matchAll(/("([^"]|"")*"|[^,]*)(,|$)/g)].map((m) => m[1].replace(/^"|"$/g, '').replace(/""/g, '"'))
    if (fields.length < header.length) continue
    const box = ['box_x', 'box_y', 'box_w', 'box_h'].map((n) => Number(fields[col(n)]))
    links.set(fields[at.face], {
      photo: fields[at.photo],
      face: Number(fields[at.index]),
      score: Number(fields[at.score]),
      box: box.every(Number.isFinite) ? (box as [number, number, number, number]) : null
    })
  }
  return links
}

const cache = new Map<string, { mtimeMs: number; links: Map<string, FacePhotoLink> }>()

/** The photo a face crop came from, when the dataset is a folder of crops made by extractFaces. */
export async function facePhotoLink(root: string, relPath: string): Promise<FacePhotoLink | null> {
  const file = join(root, LINKS_FILE)
  const s = await stat(file).catch(() => null)
  if (!s) return null
  let entry = cache.get(file)
  if (!entry || entry.mtimeMs !== s.mtimeMs) {
    entry = { mtimeMs: s.mtimeMs, links: parseFaceLinks(await readFile(file, 'utf8')) }
    cache.set(file, entry)
  }
  return entry.links.get(relPath) ?? null
}
