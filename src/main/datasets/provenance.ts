import type { DatasetFormatInfo } from '@shared/formats/types'
import type { ChangeLogEntry, ExportRow } from '../store/sources'
import { csvField } from './exportFormats'

/**
 * Universal exports that any script can read whatever the dataset's format: every sample with
 * where its label came from, what it was, what it is, when and by what it changed; and the
 * change log, one row per label event. `score` is the label-issue score once the review ranking
 * has one for the sample; until then it is empty.
 */

const PROVENANCE_COLUMNS = [
  'path',
  'split',
  'label_file',
  'line',
  'source_label',
  'original_label',
  'current_label',
  'changed',
  'changed_at',
  'change_source',
  'excluded',
  'score',
  'status'
]

function isChanged(row: ExportRow): boolean {
  return row.originalLabel !== row.currentLabel
}

export function provenanceCsv(rows: ExportRow[]): string {
  const lines = [PROVENANCE_COLUMNS.join(',')]
  for (const r of rows) {
    lines.push(
      [
        r.relPath,
        r.split ?? '',
        r.labelFile ?? '',
        r.line === null ? '' : String(r.line),
        r.token ?? '',
        r.originalLabel ?? '',
        r.currentLabel ?? '',
        isChanged(r) ? '1' : '0',
        r.changedAt ?? '',
        r.changeSource ?? '',
        r.excluded ?? '',
        '',
        r.status
      ]
        .map(csvField)
        .join(',')
    )
  }
  return lines.join('\n') + '\n'
}

export function changeLogCsv(entries: ChangeLogEntry[]): string {
  const lines = ['at,path,old_label,new_label,source']
  for (const e of entries) lines.push([e.at, e.relPath, e.oldLabel ?? '', e.newLabel ?? '', e.source].map(csvField).join(','))
  return lines.join('\n') + '\n'
}

/**
 * One JSON document: the dataset and how it was read (format, options, class mapping), every
 * sample, and the change log. One sample per line, so the file stays diffable and greppable.
 */
export function provenanceJson(input: {
  dataset: { root: string; name: string }
  format: DatasetFormatInfo
  exportedAt: string
  rows: ExportRow[]
  changes: ChangeLogEntry[]
}): string {
  const sample = (r: ExportRow): string =>
    JSON.stringify({
      path: r.relPath,
      split: r.split,
      status: r.status,
      source: r.labelFile === null ? null : { file: r.labelFile, line: r.line, label: r.token, excluded: r.excluded },
      extras: r.extras ? JSON.parse(r.extras) : null,
      originalLabel: r.originalLabel,
      currentLabel: r.currentLabel,
      changed: isChanged(r),
      changedAt: r.changedAt,
      changeSource: r.changeSource,
      score: null
    })
  const head = JSON.stringify({
    dataset: input.dataset,
    exportedAt: input.exportedAt,
    format: input.format,
    counts: { samples: input.rows.length, changed: input.rows.filter(isChanged).length, changes: input.changes.length }
  })
  return (
    head.slice(0, -1) +
    ',\n"samples": [\n' +
    input.rows.map(sample).join(',\n') +
    '\n],\n"changes": [\n' +
    input.changes.map((c) => JSON.stringify(c)).join(',\n') +
    '\n]}\n'
  )
}
