/**
 * Automatic detection: which format a folder is in, from the names of its non-image files and
 * the first lines of its text files. Every plausible reading is returned, best first, with the
 * evidence in words, so the open screen can show why and the user can pick another.
 */
import { parseCsvLine } from './csv'
import { FERPLUS_NEW_VOTES, FERPLUS_SPLIT_FOLDERS } from './ferplus'
import { listsImages } from './genericCsv'
import { placeInTree } from './imagefolder'
import { splitLines } from './lines'
import { RAFDB_LABEL_FILE } from './rafdb'
import type { FormatCandidate, LabelFileBytes } from './types'

export interface FolderProbe {
  /** Non-image files under the root (relative, '/'-separated): label file candidates. */
  files: string[]
  /** The first bytes of the text files among them (.csv, .tsv, .txt) near the top of the folder. */
  heads: LabelFileBytes[]
  /** Image files found under the root. */
  images: ReadonlySet<string>
}

/** How deep below the root a label file may sit (`basic/EmoLabel/…`, `Manually_Annotated_file_lists/…`). */
export const MAX_LABEL_FILE_DEPTH = 3

/** File extensions worth reading the start of, to recognise a label file. */
export const TEXT_LABEL_FILE = /\.(csv|tsv|txt)$/i

function depth(path: string): number {
  return path.split('/').length
}

function firstLine(head: LabelFileBytes): string {
  return splitLines(head.bytes.subarray(0, Math.min(head.bytes.length, 64 * 1024)))[0]?.text ?? ''
}

function headerNames(head: LabelFileBytes): string[] {
  const parsed = parseCsvLine(firstLine(head))
  return parsed.ok ? parsed.fields.map((f) => f.value.trim().toLowerCase()) : []
}

/** A FERPlus label.csv row: a name, a quoted face box and ten numbers. */
function looksLikeVotes(head: LabelFileBytes): boolean {
  const parsed = parseCsvLine(firstLine(head))
  return parsed.ok && parsed.fields.length === 12 && parsed.fields.slice(2).every((f) => /^\s*\d+(\.\d+)?\s*$/.test(f.value))
}

const byDepthThenName = (a: string, b: string): number => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0)

export function detectFormats(probe: FolderProbe): FormatCandidate[] {
  const candidates: FormatCandidate[] = []
  const heads = new Map(probe.heads.map((h) => [h.path, h]))
  const used = new Set<string>()

  const raf = probe.files.filter(
    (f) => (f === RAFDB_LABEL_FILE || f.endsWith('/' + RAFDB_LABEL_FILE)) && depth(f) <= MAX_LABEL_FILE_DEPTH
  )
  for (const file of raf.sort(byDepthThenName).slice(0, 1)) {
    used.add(file)
    candidates.push({
      format: 'rafdb',
      options: { labelFiles: [file] },
      evidence: `${file} (RAF-DB's list of images and labels 1–7)`
    })
  }

  const splitRank = (f: string): number => FERPLUS_SPLIT_FOLDERS.findIndex((s) => f.endsWith(`${s}/label.csv`))
  const voteFiles = probe.files
    .filter((f) => splitRank(f) !== -1 && depth(f) <= MAX_LABEL_FILE_DEPTH && heads.has(f) && looksLikeVotes(heads.get(f)!))
    .sort((a, b) => splitRank(a) - splitRank(b))
  const newVotes = probe.files.find(
    (f) =>
      (f === FERPLUS_NEW_VOTES || f.endsWith('/' + FERPLUS_NEW_VOTES)) &&
      heads.has(f) &&
      headerNames(heads.get(f)!)[1] === 'image name'
  )
  if (voteFiles.length > 0) {
    voteFiles.forEach((f) => used.add(f))
    candidates.push({
      format: 'ferplus',
      options: { labelFiles: voteFiles, ferplusVotes: 'label.csv', ferplusMode: 'majority' },
      evidence: `${voteFiles.join(', ')} with ten annotator votes per image (FERPlus)`
    })
  }
  if (newVotes) {
    used.add(newVotes)
    candidates.push({
      format: 'ferplus',
      options: { labelFiles: [newVotes], ferplusVotes: 'fer2013new.csv', ferplusMode: 'majority' },
      evidence: `${newVotes}, FERPlus's 2017 vote file`
    })
  }

  const csvs = probe.heads.filter((h) => !used.has(h.path)).sort((a, b) => byDepthThenName(a.path, b.path))
  const affectnet = csvs.filter((h) => {
    const names = headerNames(h)
    return names.includes('subdirectory_filepath') && names.includes('expression')
  })
  if (affectnet.length > 0) {
    // training.csv before validation.csv, so train samples come first.
    const files = affectnet
      .map((h) => h.path)
      .sort((a, b) => Number(/valid/i.test(a)) - Number(/valid/i.test(b)) || (a < b ? -1 : 1))
    files.forEach((f) => used.add(f))
    candidates.push({
      format: 'affectnet',
      options: { labelFiles: files },
      evidence: `${files.join(', ')} with AffectNet's columns`
    })
  }

  const fer2013 = csvs.filter((h) => !used.has(h.path) && headerNames(h).includes('pixels'))
  if (fer2013.length > 0) {
    const files = fer2013.map((h) => h.path)
    files.forEach((f) => used.add(f))
    candidates.push({
      format: 'fer2013',
      options: { labelFiles: files },
      evidence: `${files.join(', ')} with faces stored as pixel values (FER2013)`
    })
  }

  const csvCandidates: FormatCandidate[] = []
  for (const head of csvs) {
    if (used.has(head.path) || !listsImages(head)) continue
    csvCandidates.push({ format: 'csv', options: { labelFiles: [head.path] }, evidence: `${head.path} lists image files` })
  }

  const imageFolder: FormatCandidate = {
    format: 'imagefolder',
    options: {},
    evidence:
      candidates.length + csvCandidates.length > 0
        ? 'class and split folders (ignoring the label files found)'
        : `${probe.images.size.toLocaleString('en')} images; no label file found, so class folders give labels`
  }
  // A CSV that merely lists images (predictions, a file index) must not outrank class folders
  // that already label most images; the user can still choose the CSV.
  return classFolderShare(probe.images) >= 0.5
    ? [...candidates, imageFolder, ...csvCandidates]
    : [...candidates, ...csvCandidates, imageFolder]
}

/**
 * The share of images that sit in a class folder (ImageFolder would label them); one folder
 * holding every image (`images/`) is not a set of classes.
 */
function classFolderShare(images: ReadonlySet<string>): number {
  const classes = new Set<string>()
  let labelled = 0
  for (const p of images) {
    const folder = placeInTree(p).classFolder
    if (folder === null) continue
    classes.add(folder)
    labelled++
  }
  return classes.size < 2 ? 0 : labelled / images.size
}
