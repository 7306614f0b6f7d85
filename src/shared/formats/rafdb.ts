/**
 * RAF-DB basic emotions: `EmoLabel/list_patition_label.txt`, one `train_00001.jpg 5` per line,
 * labels 1–7; images in `Image/aligned/<name>_aligned.jpg` (what most papers train on) or
 * `Image/original/<name>`. The split is the file name's prefix.
 */
import type { Label } from '../emotions'
import type { Split } from '../splits'
import { classList, countFixedClasses, idForLabel, type ClassTable } from './classes'
import { splitLines } from './lines'
import type { DatasetFormat, FormatOptions, FormatProblem, ReadInput, SampleRecord } from './types'

export const RAFDB_LABEL_FILE = 'EmoLabel/list_patition_label.txt'

export const RAFDB_CLASSES: ClassTable = [
  ['1', 'Surprise', 'surprise'],
  ['2', 'Fear', 'fear'],
  ['3', 'Disgust', 'disgust'],
  ['4', 'Happiness', 'happiness'],
  ['5', 'Sadness', 'sadness'],
  ['6', 'Anger', 'anger'],
  ['7', 'Neutral', 'neutral']
]

/** The folder RAF-DB sits in, relative to the opened root ('' or e.g. 'basic/'). */
function prefixOf(options: FormatOptions): string {
  const file = options.labelFiles?.[0] ?? RAFDB_LABEL_FILE
  return file.endsWith(RAFDB_LABEL_FILE) ? file.slice(0, file.length - RAFDB_LABEL_FILE.length) : ''
}

function imageFolderOf(options: FormatOptions): 'aligned' | 'original' {
  return options.rafdbImages ?? 'aligned'
}

export function rafdbImagePath(name: string, options: FormatOptions): string {
  const prefix = prefixOf(options)
  if (imageFolderOf(options) === 'original') return `${prefix}Image/original/${name}`
  const dot = name.lastIndexOf('.')
  return `${prefix}Image/aligned/${dot > 0 ? name.slice(0, dot) : name}_aligned${dot > 0 ? name.slice(dot) : ''}`
}

/** The name the list file uses for an image path (the inverse of `rafdbImagePath`). */
function listName(relPath: string, options: FormatOptions): string | null {
  const prefix = prefixOf(options)
  const aligned = /^(.*)_aligned(\.[^./]+)$/.exec(relPath.slice(`${prefix}Image/aligned/`.length))
  if (relPath.startsWith(`${prefix}Image/aligned/`) && aligned && !aligned[1].includes('/')) return aligned[1] + aligned[2]
  const original = relPath.slice(`${prefix}Image/original/`.length)
  if (relPath.startsWith(`${prefix}Image/original/`) && !original.includes('/')) return original
  return null
}

function splitOfName(name: string): Split | null {
  return /^train/i.test(name) ? 'train' : /^test/i.test(name) ? 'test' : null
}

const LINE = /^(\s*\S+\s+)(\S+)(\s*)$/

function unwritable(label: Label): { unwritable: string } {
  return { unwritable: `RAF-DB basic has no class for ${label} (its classes: ${classList(RAFDB_CLASSES)})` }
}

export const rafdb: DatasetFormat = {
  id: 'rafdb',
  name: 'RAF-DB (basic)',
  description: 'EmoLabel/list_patition_label.txt with labels 1–7; images in Image/aligned or Image/original.',
  completeOptions(options, { images }) {
    if (options.rafdbImages) return options
    // Aligned faces are what RAF-DB papers train on; fall back to the originals when only those were unpacked.
    const aligned = `${prefixOf(options)}Image/aligned/`
    for (const p of images) if (p.startsWith(aligned)) return { ...options, rafdbImages: 'aligned' }
    return { ...options, rafdbImages: 'original' }
  },
  read({ files, options }: ReadInput) {
    const records: SampleRecord[] = []
    const problems: FormatProblem[] = []
    for (const file of files) {
      for (const line of splitLines(file.bytes)) {
        if (line.text.trim() === '') continue
        const tokens = line.text.trim().split(/\s+/)
        if (tokens.length !== 2) {
          problems.push({
            relPath: file.path,
            line: line.number,
            kind: 'error',
            reason: `line ${line.number}: expected "<image name> <label 1–7>", found ${JSON.stringify(line.text.slice(0, 80))}`
          })
          continue
        }
        const [name, id] = tokens
        const known = RAFDB_CLASSES.find(([i]) => i === id)
        const source = { file: file.path, line: line.number, token: id }
        if (!known) {
          const reason = `unknown label id ${JSON.stringify(id)} (RAF-DB basic uses ${classList(RAFDB_CLASSES)})`
          problems.push({ relPath: file.path, line: line.number, kind: 'error', reason: `line ${line.number}: ${reason}` })
          Object.assign(source, { excluded: reason })
        }
        records.push({ relPath: rafdbImagePath(name, options), split: splitOfName(name), label: known?.[2] ?? null, source })
      }
    }
    return { records, problems, classes: countFixedClasses(RAFDB_CLASSES, records) }
  },
  ownsImage(relPath, options) {
    return relPath.startsWith(`${prefixOf(options)}Image/${imageFolderOf(options)}/`)
  },
  rewriteLine(line, label) {
    const m = LINE.exec(line)
    if (!m) return { unwritable: `the line ${JSON.stringify(line)} is not "<image name> <label>"` }
    if (label === null) return { drop: true } // a list file cannot say "no label": the image leaves the list
    const id = idForLabel(RAFDB_CLASSES, label)
    return id === null ? unwritable(label) : { line: m[1] + id + m[3] }
  },
  appendLine(relPath, label, { options }) {
    const name = listName(relPath, options)
    if (name === null) return { unwritable: `${relPath} is not in RAF-DB's Image/aligned or Image/original folder` }
    const id = idForLabel(RAFDB_CLASSES, label)
    return id === null ? unwritable(label) : { line: `${name} ${id}` }
  }
}
