/**
 * One CSV/TSV line at a time (RFC 4180 quoting), keeping where each field sits in the line so a
 * writer can replace one field and leave the rest of the line exactly as it was. Label files of
 * FER datasets never put line breaks inside fields; a quote left open is reported as malformed.
 */

import type { TextLine } from './lines'
import type { FormatProblem } from './types'

export interface CsvField {
  /** The field's value, quotes removed and `""` unescaped. */
  value: string
  /** Where the field's raw text (quotes included) starts and ends in the line. */
  start: number
  end: number
}

export type CsvLine = { ok: true; fields: CsvField[] } | { ok: false; reason: string }

export function parseCsvLine(line: string, delimiter = ','): CsvLine {
  const fields: CsvField[] = []
  let i = 0
  for (;;) {
    const start = i
    let value = ''
    if (line[i] === '"') {
      i++
      for (;;) {
        const close = line.indexOf('"', i)
        if (close === -1) return { ok: false, reason: `a quoted field opened at column ${start + 1} is never closed` }
        value += line.slice(i, close)
        if (line[close + 1] === '"') {
          value += '"'
          i = close + 2
        } else {
          i = close + 1
          break
        }
      }
      // Text between a closing quote and the delimiter is kept, as spreadsheet programs do.
      const next = line.indexOf(delimiter, i)
      const stop = next === -1 ? line.length : next
      value += line.slice(i, stop)
      i = stop
    } else {
      const next = line.indexOf(delimiter, i)
      const stop = next === -1 ? line.length : next
      value = line.slice(i, stop)
      i = stop
    }
    fields.push({ value, start, end: i })
    if (i >= line.length) return { ok: true, fields }
    i += delimiter.length
    if (i === line.length) {
      fields.push({ value: '', start: i, end: i })
      return { ok: true, fields }
    }
  }
}

/** Quotes a value when the delimiter, a quote or a line break would otherwise break the line. */
export function quoteCsv(value: string, delimiter = ','): string {
  return value.includes(delimiter) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

/** Guesses the separator from a header or first row: tab, semicolon or comma. */
export function guessDelimiter(firstLine: string, fileName = ''): string {
  if (/\.tsv$/i.test(fileName) || firstLine.includes('\t')) return '\t'
  const count = (c: string): number => firstLine.split(c).length - 1
  return count(';') > count(',') ? ';' : ','
}

/** Finds a column by header name (case and surrounding spaces ignored) or by 0-based index. */
export function columnIndex(header: string[] | null, column: string | number | undefined): number {
  if (column === undefined || column === '') return -1
  if (typeof column === 'number') return Number.isInteger(column) && column >= 0 ? column : -1
  const wanted = column.trim().toLowerCase()
  const byName = header ? header.findIndex((h) => h.trim().toLowerCase() === wanted) : -1
  // A number typed by the user is a position, unless a column is actually called that.
  return byName === -1 && /^\d+$/.test(wanted) ? Number(wanted) : byName
}

/**
 * The data lines of a CSV label file, parsed: blank lines are skipped, and a line that does not
 * parse is reported (file and line) instead of yielded. Each row comes with `problem`, which
 * reports something wrong with that line in the same form.
 */
export function* csvRows(
  lines: TextLine[],
  relPath: string,
  problems: FormatProblem[],
  delimiter = ','
): Generator<{ line: TextLine; fields: CsvField[]; problem: (reason: string) => void }> {
  for (const line of lines) {
    if (line.text.trim() === '') continue
    const problem = (reason: string): void => {
      problems.push({ relPath, line: line.number, kind: 'error', reason: `line ${line.number}: ${reason}` })
    }
    const parsed = parseCsvLine(line.text, delimiter)
    if (!parsed.ok) problem(parsed.reason)
    else yield { line, fields: parsed.fields, problem }
  }
}
