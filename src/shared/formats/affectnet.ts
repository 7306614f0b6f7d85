/**
 * AffectNet's manually annotated lists, `training.csv` and `validation.csv`:
 * `subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal`.
 * Expressions 0–7 are emotions; 8 None, 9 Uncertain and 10 Non-Face mean "no emotion label" and
 * are kept as unlabelled samples with the reason, never dropped. Paths are relative to the image
 * folder (usually `Manually_Annotated_Images/`), found by looking where the listed files are.
 */
import type { Label } from '../emotions'
import { splitFromFolderName } from '../splits'
import { classList, countFixedClasses, idForLabel, type ClassTable } from './classes'
import { csvRows, parseCsvLine } from './csv'
import { splitLines } from './lines'
import type { DatasetFormat, FormatProblem, LabelFileBytes, SampleRecord } from './types'

export const AFFECTNET_CLASSES: ClassTable = [
  ['0', 'Neutral', 'neutral'],
  ['1', 'Happy', 'happiness'],
  ['2', 'Sad', 'sadness'],
  ['3', 'Surprise', 'surprise'],
  ['4', 'Fear', 'fear'],
  ['5', 'Disgust', 'disgust'],
  ['6', 'Anger', 'anger'],
  ['7', 'Contempt', 'contempt'],
  ['8', 'None', null],
  ['9', 'Uncertain', null],
  ['10', 'Non-Face', null]
]

const NO_LABEL_REASON: Record<string, string> = {
  '8': 'AffectNet expression 8 (None): none of the eight emotions',
  '9': 'AffectNet expression 9 (Uncertain)',
  '10': 'AffectNet expression 10 (Non-Face): no face in the image'
}

/** What a removed label is written as: the annotators' own "Uncertain". */
const REMOVED_LABEL_ID = '9'

/** Where AffectNet's images usually sit relative to the folder that was opened. */
const IMAGE_FOLDERS = ['Manually_Annotated_Images/', 'Manually_Annotated/Manually_Annotated_Images/', '']

function columnsOf(header: string): string[] | null {
  const parsed = parseCsvLine(header)
  if (!parsed.ok) return null
  const names = parsed.fields.map((f) => f.value.trim().toLowerCase())
  return names.includes('subdirectory_filepath') && names.includes('expression') ? names : null
}

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/') + 1)
}

/** The listed paths of a file's first rows, to find the image folder. */
function firstPaths(file: LabelFileBytes, count: number): string[] {
  const lines = splitLines(file.bytes.subarray(0, Math.min(file.bytes.length, 256 * 1024)))
  const columns = lines[0] ? columnsOf(lines[0].text) : null
  if (!columns) return []
  const at = columns.indexOf('subdirectory_filepath')
  return lines
    .slice(1, count + 1)
    .map((l) => parseCsvLine(l.text))
    .flatMap((p) => (p.ok && p.fields[at] ? [p.fields[at].value.trim()] : []))
}

function num(value: string | undefined): number | undefined {
  const n = Number(value)
  return value !== undefined && value.trim() !== '' && Number.isFinite(n) ? n : undefined
}

export const affectnet: DatasetFormat = {
  id: 'affectnet',
  name: 'AffectNet',
  description: 'training.csv / validation.csv: image path, face box, landmarks, expression 0–10, valence, arousal.',
  completeOptions(options, { files, images }) {
    if (options.imagePrefix !== undefined) return options
    const candidates = [...IMAGE_FOLDERS, ...files.map((f) => dirOf(f.path))]
    const paths = files.flatMap((f) => firstPaths(f, 200))
    let best = { prefix: candidates[0], hits: -1 }
    for (const prefix of candidates) {
      const hits = paths.filter((p) => images.has(prefix + p)).length
      if (hits > best.hits) best = { prefix, hits }
    }
    return { ...options, imagePrefix: best.prefix }
  },
  read({ files, options }) {
    const records: SampleRecord[] = []
    const problems: FormatProblem[] = []
    const prefix = options.imagePrefix ?? ''
    for (const file of files) {
      const lines = splitLines(file.bytes)
      const columns = lines[0] ? columnsOf(lines[0].text) : null
      if (!columns) {
        problems.push({
          relPath: file.path,
          line: 1,
          kind: 'error',
          reason: "line 1: expected AffectNet's header (subDirectory_filePath,face_x,…,expression,valence,arousal)"
        })
        continue
      }
      const col = (name: string): number => columns.indexOf(name)
      const at = {
        path: col('subdirectory_filepath'),
        expression: col('expression'),
        valence: col('valence'),
        arousal: col('arousal')
      }
      const box = ['face_x', 'face_y', 'face_width', 'face_height'].map(col)
      const split = splitFromFolderName(file.path.replace(/^.*\//, '').replace(/\.[^.]*$/, ''))
      for (const { line, fields, problem } of csvRows(lines.slice(1), file.path, problems)) {
        const values = fields.map((f) => f.value)
        if (values.length !== columns.length || values[at.path].trim() === '') {
          problem(`expected ${columns.length} fields with an image path, found ${values.length}`)
          continue
        }
        const token = values[at.expression].trim()
        const known = AFFECTNET_CLASSES.find(([id]) => id === token)
        const source = {
          file: file.path,
          line: line.number,
          token,
          extras: {
            faceBox: box.every((i) => i !== -1) ? box.map((i) => num(values[i]) ?? null) : undefined,
            valence: at.valence === -1 ? undefined : num(values[at.valence]),
            arousal: at.arousal === -1 ? undefined : num(values[at.arousal])
          }
        }
        if (!known) {
          const reason = `unknown expression ${JSON.stringify(token)} (AffectNet uses 0–10: ${classList(AFFECTNET_CLASSES)}, 8 None, 9 Uncertain, 10 Non-Face)`
          problem(reason)
          Object.assign(source, { excluded: reason })
        } else if (known[2] === null) Object.assign(source, { excluded: NO_LABEL_REASON[token] })
        records.push({ relPath: prefix + values[at.path].trim(), split, label: known?.[2] ?? null, source })
      }
    }
    return { records, problems, classes: countFixedClasses(AFFECTNET_CLASSES, records) }
  },
  ownsImage(relPath, options) {
    return relPath.startsWith(options.imagePrefix ?? '')
  },
  rewriteLine(line, label: Label | null, { header }) {
    const columns = columnsOf(header)
    const parsed = parseCsvLine(line)
    const at = columns?.indexOf('expression') ?? -1
    if (!parsed.ok || at === -1 || !parsed.fields[at]) return { unwritable: 'the row has no expression column to write into' }
    const id = label === null ? REMOVED_LABEL_ID : idForLabel(AFFECTNET_CLASSES, label)
    if (id === null) return { unwritable: `AffectNet has no class for ${label}` }
    const field = parsed.fields[at]
    return { line: line.slice(0, field.start) + id + line.slice(field.end) }
  },
  appendLine() {
    return {
      unwritable: 'AffectNet rows need a face box and landmarks, which this app does not have for images the lists leave out'
    }
  }
}
