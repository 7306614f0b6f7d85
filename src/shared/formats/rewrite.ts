/**
 * Export in the source format: the label files as they were read, with only the lines of samples
 * whose label changed rewritten (in the format's own syntax) and lines added for unlisted images
 * the user labelled. An unchanged dataset gives back byte-identical files. Labels a format cannot
 * express are collected, not skipped, so the caller can refuse and say which samples they are.
 * Every line rewritten or dropped is listed with its original text (`relabelled-rows.csv`), so
 * what a rewrite replaces — FERPlus's ten annotator votes — can always be recovered.
 */
import type { Label } from '../emotions'
import { quoteCsv } from './csv'
import { patchedChunks, splitLines, type TextLine } from './lines'
import type { DatasetFormat, FormatOptions, LabelFileBytes } from './types'

export interface SampleLabelState {
  relPath: string
  /** Where the sample's label is written; null for an image the label files do not list. */
  source: { file: string; line: number } | null
  originalLabel: Label | null
  currentLabel: Label | null
}

export interface RewrittenFile {
  path: string
  /** The file's bytes, as pieces to write one after another (views of the file read, and the new lines). */
  chunks: Uint8Array[]
  /** Lines whose label was rewritten. */
  rewritten: number
  /** Lines left out because their label was removed and the format cannot say "no label". */
  dropped: number
  /** Lines added for images the file did not list. */
  appended: number
}

/** A line the export rewrote or dropped, as it was in the file read. */
export interface RelabelledRow {
  file: string
  line: number
  relPath: string
  originalLabel: Label | null
  newLabel: Label | null
  originalRow: string
}

export interface RewriteOutcome {
  files: RewrittenFile[]
  unwritable: { relPath: string; reason: string }[]
  /** In file order, then line order. */
  relabelled: RelabelledRow[]
}

/** The sidecar a source export writes beside the label files whenever it rewrote a line. */
export const RELABELLED_ROWS = 'relabelled-rows.csv'

/**
 * `label_file,line,path,original_label,new_label,original_row`, then the format's own named
 * columns for the original row (FERPlus: `votes_neutral`…`votes_NF`). `original_row` is the line
 * exactly as read, so putting it back restores the file.
 */
export function relabelledRowsCsv(format: DatasetFormat, rows: readonly RelabelledRow[]): string {
  const extras = rows.map((r) => format.originalColumns?.(r.originalRow) ?? {})
  const extraNames = [...new Set(extras.flatMap((e) => Object.keys(e)))]
  const lines = [['label_file', 'line', 'path', 'original_label', 'new_label', 'original_row', ...extraNames].join(',')]
  rows.forEach((r, i) => {
    const fields = [r.file, String(r.line), r.relPath, r.originalLabel ?? '', r.newLabel ?? '', r.originalRow]
    lines.push([...fields, ...extraNames.map((n) => extras[i][n] ?? '')].map((f) => quoteCsv(f)).join(','))
  })
  return lines.join('\n') + '\n'
}

export function rewriteLabelFiles(
  format: DatasetFormat,
  files: LabelFileBytes[],
  samples: SampleLabelState[],
  options: FormatOptions,
  spellings: ReadonlyMap<Label, string>
): RewriteOutcome {
  const unwritable: RewriteOutcome['unwritable'] = []
  const relabelled: RelabelledRow[] = []
  const changed = samples.filter((s) => s.originalLabel !== s.currentLabel)
  const perFile = new Map(
    files.map((f) => [f.path, { replacements: new Map<number, string | null>(), appended: [] as string[] }])
  )
  const headers = new Map(
    files.map((f) => [f.path, splitLines(f.bytes.subarray(0, Math.min(f.bytes.length, 1 << 20)))[0]?.text ?? ''])
  )
  const context = (file: string) => ({ header: headers.get(file) ?? '', options, spellings, file })
  // Split each file once, and only when one of its lines has to change.
  const split = new Map<string, TextLine[]>()
  const linesOf = (file: LabelFileBytes): TextLine[] => {
    let lines = split.get(file.path)
    if (!lines) split.set(file.path, (lines = splitLines(file.bytes)))
    return lines
  }

  for (const s of changed) {
    if (s.source) {
      const target = perFile.get(s.source.file)
      const file = files.find((f) => f.path === s.source?.file)
      const text = file ? linesOf(file)[s.source.line - 1]?.text : undefined
      if (!target || text === undefined || !format.rewriteLine) {
        unwritable.push({ relPath: s.relPath, reason: `its line ${s.source.line} of ${s.source.file} is not in the file read` })
        continue
      }
      const outcome = format.rewriteLine(text, s.currentLabel, context(s.source.file))
      if ('unwritable' in outcome) unwritable.push({ relPath: s.relPath, reason: outcome.unwritable })
      else {
        target.replacements.set(s.source.line, 'drop' in outcome ? null : outcome.line)
        relabelled.push({
          file: s.source.file,
          line: s.source.line,
          relPath: s.relPath,
          originalLabel: s.originalLabel,
          newLabel: s.currentLabel,
          originalRow: text
        })
      }
    } else if (s.currentLabel !== null) {
      let reason = 'the format cannot list images its files leave out'
      let placed = false
      for (const file of files) {
        const outcome = format.appendLine?.(s.relPath, s.currentLabel, context(file.path))
        if (outcome && 'line' in outcome) {
          perFile.get(file.path)?.appended.push(outcome.line)
          placed = true
          break
        }
        if (outcome && 'unwritable' in outcome) reason = outcome.unwritable
      }
      if (!placed) unwritable.push({ relPath: s.relPath, reason })
    }
  }

  relabelled.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1))
  return {
    unwritable,
    relabelled,
    files: files.map((file) => {
      const { replacements, appended } = perFile.get(file.path) ?? { replacements: new Map(), appended: [] }
      const chunks =
        replacements.size || appended.length ? patchedChunks(file.bytes, linesOf(file), replacements, appended) : [file.bytes]
      const dropped = [...replacements.values()].filter((v) => v === null).length
      return { path: file.path, chunks, rewritten: replacements.size - dropped, dropped, appended: appended.length }
    })
  }
}
