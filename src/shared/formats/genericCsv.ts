/**
 * Any CSV/TSV that lists images and labels: the user says which column holds the path and which
 * the label (by header name or position); detection proposes both. Labels may be class names
 * (mapped through the usual aliases) or numbers with a class list given in the options.
 */
import { normaliseLabel, type Label } from '../emotions'
import { labelProblem, quoteLabel } from '../labels'
import { splitFromFolderName } from '../splits'
import { countObservedClasses } from './classes'
import { columnIndex, guessDelimiter, parseCsvLine, quoteCsv, type CsvField } from './csv'
import { splitLines } from './lines'
import type {
  DatasetFormat,
  FormatOptions,
  FormatProblem,
  LabelFileBytes,
  LineRewrite,
  RewriteContext,
  SampleRecord
} from './types'

const IMAGE_VALUE = /\.(png|jpe?g|bmp|gif|webp|tiff?)\s*$/i
const LABEL_HEADERS = ['label', 'emotion', 'expression', 'class', 'category', 'target', 'emotion_label', 'y']
const SPLIT_HEADERS = ['split', 'usage', 'subset', 'set', 'partition']

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/') + 1)
}

/** A listed path as a '/'-separated path relative to the root. */
function normalisePath(value: string, prefix: string): string {
  return prefix + value.trim().replace(/\\/g, '/').replace(/^\.\//, '')
}

interface Row {
  number: number
  fields: CsvField[] | null
  /** Why the row cannot be read, when `fields` is null. */
  reason?: string
}

function rowsOf(file: LabelFileBytes, delimiter: string, limit = Infinity): Row[] {
  const bytes = Number.isFinite(limit) ? file.bytes.subarray(0, Math.min(file.bytes.length, 64 * 1024)) : file.bytes
  return splitLines(bytes)
    .filter((l) => l.text.trim() !== '')
    .slice(0, limit)
    .map((l) => {
      const parsed = parseCsvLine(l.text, delimiter)
      return parsed.ok ? { number: l.number, fields: parsed.fields } : { number: l.number, fields: null, reason: parsed.reason }
    })
}

/** Header names (lower-cased) when the options say there is a header. */
function headerOf(file: LabelFileBytes, options: FormatOptions): string[] | null {
  if (!options.hasHeader) return null
  const first = rowsOf(file, options.delimiter ?? ',', 1)[0]
  return first?.fields?.map((f) => f.value.trim().toLowerCase()) ?? null
}

function headerNames(header: string, options: FormatOptions): string[] | null {
  const parsed = parseCsvLine(header, options.delimiter ?? ',')
  return options.hasHeader && parsed.ok ? parsed.fields.map((f) => f.value.trim().toLowerCase()) : null
}

/** Guesses the columns of a CSV that lists images: what detection proposes and the user may change. */
export function guessCsvOptions(file: LabelFileBytes, images: ReadonlySet<string>, given: FormatOptions = {}): FormatOptions {
  const firstText = splitLines(file.bytes.subarray(0, Math.min(file.bytes.length, 4096)))[0]?.text ?? ''
  const delimiter = given.delimiter ?? guessDelimiter(firstText, file.path)
  const rows = rowsOf(file, delimiter, 50).map((r) => r.fields?.map((f) => f.value) ?? [])
  const looksLikeData = (row: string[]): boolean => row.some((v) => IMAGE_VALUE.test(v))
  const hasHeader = given.hasHeader ?? (rows.length > 0 && !looksLikeData(rows[0]))
  const header = hasHeader ? (rows[0] ?? []).map((h) => h.trim()) : null
  const data = hasHeader ? rows.slice(1) : rows
  const width = Math.max(0, ...rows.map((r) => r.length))
  const name = (i: number): string | number => (header && header[i] ? header[i] : i)
  const share = (i: number): number => data.filter((r) => IMAGE_VALUE.test(r[i] ?? '')).length / Math.max(1, data.length)
  let pathAt = given.pathColumn !== undefined ? columnIndex(header, given.pathColumn) : -1
  if (pathAt === -1) pathAt = [...Array(width).keys()].find((i) => share(i) >= 0.8) ?? -1
  const lower = header?.map((h) => h.toLowerCase()) ?? []
  let labelAt = given.labelColumn !== undefined ? columnIndex(header, given.labelColumn) : -1
  if (labelAt === -1) labelAt = lower.findIndex((h) => LABEL_HEADERS.includes(h))
  if (labelAt === -1) labelAt = lower.findIndex((h, i) => i !== pathAt && /label|emotion|expression|class/.test(h))
  const splitAt =
    given.splitColumn !== undefined ? columnIndex(header, given.splitColumn) : lower.findIndex((h) => SPLIT_HEADERS.includes(h))
  if (labelAt === -1) labelAt = [...Array(width).keys()].find((i) => i !== pathAt && i !== splitAt) ?? -1
  const listed = data.slice(0, 200).map((r) => r[pathAt] ?? '')
  const prefixes = given.imagePrefix !== undefined ? [given.imagePrefix] : ['', dirOf(file.path)]
  const hits = (p: string): number => listed.filter((v) => images.has(normalisePath(v, p))).length
  const imagePrefix = prefixes.reduce((best, p) => (hits(p) > hits(best) ? p : best), prefixes[0])
  return {
    ...given,
    delimiter,
    hasHeader,
    ...(pathAt !== -1 ? { pathColumn: name(pathAt) } : {}),
    ...(labelAt !== -1 ? { labelColumn: name(labelAt) } : {}),
    ...(splitAt !== -1 ? { splitColumn: name(splitAt) } : {}),
    imagePrefix
  }
}

/** Whether a file looks like a CSV listing images (used by detection). */
export function listsImages(file: LabelFileBytes): boolean {
  const guess = guessCsvOptions(file, new Set())
  return guess.pathColumn !== undefined && guess.labelColumn !== undefined
}

function labelOf(token: string, options: FormatOptions): { label: Label | null; error?: string } {
  if (token === '') return { label: null }
  if (options.classes?.length && /^\d+$/.test(token)) {
    const name = options.classes[Number(token)]
    return name === undefined
      ? {
          label: null,
          error: `unknown class id ${token} (the class list given has ${options.classes.length} classes, 0–${options.classes.length - 1})`
        }
      : checked(normaliseLabel(name))
  }
  return checked(normaliseLabel(token))
}

/** A label file is as untrusted as a request: a label that could not be set by hand is not read either. */
function checked(label: Label): { label: Label | null; error?: string } {
  const problem = labelProblem(label)
  return problem ? { label: null, error: `label ${quoteLabel(label)} refused: ${problem}` } : { label }
}

function labelText(label: Label | null, { options, spellings }: RewriteContext): LineRewrite | string {
  if (label === null) return ''
  if (options.classes?.length) {
    const id = options.classes.findIndex((c) => normaliseLabel(c) === label)
    return id === -1 ? { unwritable: `the class list (${options.classes.join(', ')}) has no ${label}` } : String(id)
  }
  return spellings.get(label) ?? label
}

export const genericCsv: DatasetFormat = {
  id: 'csv',
  name: 'CSV / TSV',
  description: 'Any CSV or TSV with a column of image paths and a column of labels; you choose the columns.',
  completeOptions(options, { files, images }) {
    return files[0] ? guessCsvOptions(files[0], images, options) : options
  },
  read({ files, options }) {
    const records: SampleRecord[] = []
    const problems: FormatProblem[] = []
    const observed: { id: string; label: Label | null }[] = []
    const delimiter = options.delimiter ?? ','
    for (const file of files) {
      const header = headerOf(file, options)
      const at = {
        path: columnIndex(header, options.pathColumn),
        label: columnIndex(header, options.labelColumn),
        split: columnIndex(header, options.splitColumn)
      }
      if (at.path === -1 || at.label === -1) {
        problems.push({
          relPath: file.path,
          line: 1,
          kind: 'error',
          reason: `cannot find the ${at.path === -1 ? `path column ${JSON.stringify(options.pathColumn ?? '')}` : `label column ${JSON.stringify(options.labelColumn ?? '')}`}; choose the columns when opening`
        })
        continue
      }
      const rows = rowsOf(file, delimiter)
      for (const row of header ? rows.slice(1) : rows) {
        const problem = (reason: string): void => {
          problems.push({ relPath: file.path, line: row.number, kind: 'error', reason: `line ${row.number}: ${reason}` })
        }
        if (!row.fields) {
          problem(row.reason ?? 'cannot be read')
          continue
        }
        const value = (i: number): string => (i === -1 ? '' : (row.fields?.[i]?.value ?? '').trim())
        if (row.fields.length <= Math.max(at.path, at.label) || value(at.path) === '') {
          problem(
            `expected a path in column ${at.path + 1} and a label in column ${at.label + 1}, found ${row.fields.length} fields`
          )
          continue
        }
        const token = value(at.label)
        const { label, error } = labelOf(token, options)
        const source = { file: file.path, line: row.number, token }
        if (error) {
          problem(error)
          Object.assign(source, { excluded: error })
        } else if (token !== '') observed.push({ id: token, label })
        records.push({
          relPath: normalisePath(value(at.path), options.imagePrefix ?? ''),
          split: at.split === -1 ? null : splitFromFolderName(value(at.split)),
          label,
          source
        })
      }
    }
    return { records, problems, classes: countObservedClasses(observed) }
  },
  ownsImage(relPath, options) {
    return relPath.startsWith(options.imagePrefix ?? '')
  },
  rewriteLine(line, label, context) {
    const { options, header } = context
    const delimiter = options.delimiter ?? ','
    const at = columnIndex(headerNames(header, options), options.labelColumn)
    const parsed = parseCsvLine(line, delimiter)
    if (!parsed.ok || at === -1 || !parsed.fields[at]) return { unwritable: 'the row has no label column to write into' }
    const text = labelText(label, context)
    if (typeof text !== 'string') return text
    const field = parsed.fields[at]
    return { line: line.slice(0, field.start) + quoteCsv(text, delimiter) + line.slice(field.end) }
  },
  appendLine(relPath, label, context) {
    const { options, header } = context
    const delimiter = options.delimiter ?? ','
    const prefix = options.imagePrefix ?? ''
    if (!relPath.startsWith(prefix)) return { unwritable: `${relPath} is outside ${prefix}` }
    const names = headerNames(header, options)
    const pathAt = columnIndex(names, options.pathColumn)
    const labelAt = columnIndex(names, options.labelColumn)
    if (pathAt === -1 || labelAt === -1) return { unwritable: 'the path or label column is not known' }
    const text = labelText(label, context)
    if (typeof text !== 'string') return text
    const headerFields = parseCsvLine(header, delimiter)
    const width = Math.max(headerFields.ok ? headerFields.fields.length : 0, pathAt + 1, labelAt + 1)
    const fields = new Array<string>(width).fill('')
    fields[pathAt] = quoteCsv(relPath.slice(prefix.length), delimiter)
    fields[labelAt] = quoteCsv(text, delimiter)
    return { line: fields.join(delimiter) }
  }
}
