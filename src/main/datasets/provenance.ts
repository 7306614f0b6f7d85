import { leftOutBy } from '@shared/cleaned'
import type { DatasetFormatInfo } from '@shared/formats/types'
import type { ChangeLogEntry } from '../store/sources'
import { csvField, isChanged } from './exportFormats'
import { cleanedSamples, type ExportSample } from './exportSamples'

/**
 * Universal exports that any script can read whatever the dataset's format: every sample with
 * where its label came from, what it was, what it is, when and by what it changed, and every
 * review decision on it (marks, note, the ranking's score and suggestion, reviewed and when); and
 * the change log, one row per label event. Every sample is here, marked or not: these are the
 * record of the review, not the cleaned dataset (the cleaned CSV and ImageFolder tree are).
 */

const PROVENANCE_COLUMNS = [
  'path',
  'split',
  'label_file',
  'line',
  'source_label',
  // Why the label file gives no label (FERPlus: no majority, not a face…), as the format reads it.
  'source_excluded',
  'original_label',
  'current_label',
  'changed',
  'changed_at',
  'change_source',
  // keep;not_a_face;ambiguous;exclude as marked in the review.
  'marks',
  // The mark that leaves the sample out of the cleaned exports (exclude or not_a_face), else empty.
  'excluded',
  'note',
  // The "most likely wrong" score the grid sorts by; empty before a ranking or where the label cannot be judged.
  'score',
  'suggested_label',
  'reviewed',
  'reviewed_at',
  'status'
]

export function provenanceCsv(rows: ExportSample[]): string {
  const lines = [PROVENANCE_COLUMNS.join(',')]
  for (const r of rows) {
    lines.push(
      [
        r.relPath,
        r.split ?? '',
        r.labelFile ?? '',
        r.line === null ? '' : String(r.line),
        r.token ?? '',
        r.excluded ?? '',
        r.originalLabel ?? '',
        r.currentLabel ?? '',
        isChanged(r) ? '1' : '0',
        r.changedAt ?? '',
        r.changeSource ?? '',
        r.marks.join(';'),
        leftOutBy(r.marks) ?? '',
        r.note ?? '',
        r.score === null ? '' : String(r.score),
        r.suggestedLabel ?? '',
        r.reviewed ? '1' : '0',
        r.reviewedAt ?? '',
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
  /** outOfSampleDeclaredAt: when the researcher declared no model they run trained on these images (null: not declared). */
  dataset: { root: string; name: string; outOfSampleDeclaredAt: string | null }
  format: DatasetFormatInfo
  exportedAt: string
  rows: ExportSample[]
  changes: ChangeLogEntry[]
}): string {
  const sample = (r: ExportSample): string =>
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
      marks: r.marks,
      excluded: leftOutBy(r.marks),
      note: r.note,
      score: r.score,
      suggestedLabel: r.suggestedLabel,
      reviewed: r.reviewed,
      reviewedAt: r.reviewedAt
    })
  const head = JSON.stringify({
    dataset: input.dataset,
    exportedAt: input.exportedAt,
    format: input.format,
    counts: {
      samples: input.rows.length,
      changed: input.rows.filter(isChanged).length,
      changes: input.changes.length,
      // What the cleaned exports leave out, counted as they count it.
      leftOut: cleanedSamples(input.rows).leftOut
    }
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
