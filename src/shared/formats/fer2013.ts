/**
 * FER2013 as Kaggle distributes it: `fer2013.csv` with `emotion,pixels,Usage`, each face 48×48
 * greyscale pixels written as space-separated numbers. There are no image files: each row is a
 * sample with the virtual path `fer2013.csv#row-00123` (the row number FER2013 papers and
 * FERPlus's `fer2013_original_labels.csv` use, counted from 0 after the header), and its image is
 * decoded from the row itself.
 */
import type { Label } from '../emotions'
import { splitFromFolderName } from '../splits'
import { classList, countFixedClasses, idForLabel, type ClassTable } from './classes'
import { csvRows, parseCsvLine, quoteCsv } from './csv'
import { encodeText, splitLines } from './lines'
import type { DatasetFormat, FormatProblem, GreyPixels, SampleRecord } from './types'

export const FER2013_CLASSES: ClassTable = [
  ['0', 'Angry', 'anger'],
  ['1', 'Disgust', 'disgust'],
  ['2', 'Fear', 'fear'],
  ['3', 'Happy', 'happiness'],
  ['4', 'Sad', 'sadness'],
  ['5', 'Surprise', 'surprise'],
  ['6', 'Neutral', 'neutral']
]

const ROW_DIGITS = 5

/** The virtual path of a CSV row's image; zero-padded so the grid's path order is row order. */
export function fer2013RowPath(file: string, row: number): string {
  return `${file}#row-${String(row).padStart(ROW_DIGITS, '0')}`
}

/** The file and row a virtual path names, or null for an ordinary path. */
export function parseRowPath(relPath: string): { file: string; row: number } | null {
  const m = /^(.*)#row-(\d+)$/.exec(relPath)
  return m ? { file: m[1], row: Number(m[2]) } : null
}

/** Space-separated 0–255 values → a square greyscale image, or why not. */
export function parsePixels(text: string): GreyPixels | string {
  return parsePixelBytes(encodeText(text), 0, text.length)
}

/**
 * The same, straight from the file's bytes (`from`–`to`): FER2013's CSV is 300 MB of digits, and
 * reading them as bytes is several times faster than walking decoded strings.
 */
export function parsePixelBytes(bytes: Uint8Array, from: number, to: number): GreyPixels | string {
  const out = new Uint8Array(((to - from) >> 1) + 1)
  let n = 0
  let value = -1
  for (let i = from; i < to; i++) {
    const c = bytes[i]
    if (c >= 48 && c <= 57) {
      value = (value < 0 ? 0 : value * 10) + (c - 48)
      if (value > 255) return `pixel ${n + 1} is above 255`
    } else if (c === 32 || c === 9) {
      if (value >= 0) out[n++] = value
      value = -1
    } else return `pixel ${n + 1} is not a number (found ${JSON.stringify(String.fromCharCode(c))})`
  }
  if (value >= 0) out[n++] = value
  const side = Math.round(Math.sqrt(n))
  if (n === 0 || side * side !== n) return `${n} pixel values do not make a square image (48×48 = 2304)`
  return { width: side, height: side, data: out.slice(0, n) }
}

function headerColumns(header: string): string[] | null {
  const parsed = parseCsvLine(header)
  if (!parsed.ok) return null
  const names = parsed.fields.map((f) => f.value.trim().toLowerCase())
  return names.includes('pixels') ? names : null
}

export const fer2013: DatasetFormat = {
  id: 'fer2013',
  name: 'FER2013 (pixels in CSV)',
  description: 'fer2013.csv: emotion 0–6, 48×48 pixels as numbers, Usage (Training, PublicTest, PrivateTest). No image files.',
  read({ files }) {
    const records: SampleRecord[] = []
    const problems: FormatProblem[] = []
    for (const file of files) {
      const lines = splitLines(file.bytes)
      const columns = lines[0] ? headerColumns(lines[0].text) : null
      if (!columns) {
        problems.push({
          relPath: file.path,
          line: 1,
          kind: 'error',
          reason: 'line 1: expected a header naming the pixels column (emotion,pixels,Usage)'
        })
        continue
      }
      const at = { emotion: columns.indexOf('emotion'), pixels: columns.indexOf('pixels'), usage: columns.indexOf('usage') }
      const fileSplit = splitFromFolderName(file.path.replace(/^.*\//, '').replace(/\.[^.]*$/, ''))
      for (const { line, fields, problem } of csvRows(lines.slice(1), file.path, problems)) {
        if (fields.length !== columns.length) {
          problem(`expected ${columns.length} fields (${columns.join(', ')}), found ${fields.length}`)
          continue
        }
        const field = fields[at.pixels]
        // In an all-ASCII line (FER2013's always are) a character offset is a byte offset.
        const ascii = line.contentEnd - line.start === line.text.length
        const quote = line.text[field.start] === '"' ? 1 : 0
        const pixels = ascii
          ? parsePixelBytes(file.bytes, line.start + field.start + quote, line.start + field.end - quote)
          : parsePixels(field.value)
        if (typeof pixels === 'string') {
          problem(pixels)
          continue
        }
        const token = at.emotion === -1 ? '' : fields[at.emotion].value.trim()
        const known = FER2013_CLASSES.find(([id]) => id === token)
        const source = { file: file.path, line: line.number, token }
        if (token !== '' && !known) {
          const reason = `unknown emotion id ${JSON.stringify(token)} (FER2013 uses ${classList(FER2013_CLASSES)})`
          problem(reason)
          Object.assign(source, { excluded: reason })
        }
        const usage = at.usage === -1 ? '' : fields[at.usage].value.trim()
        records.push({
          relPath: fer2013RowPath(file.path, line.number - 2),
          split: usage ? splitFromFolderName(usage) : fileSplit,
          label: known?.[2] ?? null,
          source,
          pixels
        })
      }
    }
    return { records, problems, classes: countFixedClasses(FER2013_CLASSES, records) }
  },
  // FER2013 has no image files; images elsewhere in the folder are not part of it.
  ownsImage: () => false,
  rewriteLine(line, label: Label | null, { header }) {
    const columns = headerColumns(header)
    const parsed = parseCsvLine(line)
    const at = columns?.indexOf('emotion') ?? -1
    if (!parsed.ok || at === -1 || !parsed.fields[at]) return { unwritable: 'the row has no emotion column to write into' }
    // FER2013 has no way to say "no label": a face whose label was removed leaves the file.
    if (label === null) return { drop: true }
    const id = idForLabel(FER2013_CLASSES, label)
    if (id === null) return { unwritable: `FER2013 has no class for ${label} (its classes: ${classList(FER2013_CLASSES)})` }
    const field = parsed.fields[at]
    return { line: line.slice(0, field.start) + quoteCsv(id) + line.slice(field.end) }
  }
}
