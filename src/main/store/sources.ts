import type { Label } from '@shared/emotions'
import type { FormatCandidate, FormatId, FormatOptions, SourceClass } from '@shared/formats/types'
import type { Split } from '@shared/splits'
import type { LabelSource } from '@shared/types'
import type { Db } from './db'
import { SUGGESTED_SQL } from './review'

/**
 * How a dataset was read (format, options, class mapping) and what an export in its own format
 * needs: the label files as read, and each sample's line in them.
 */

/** The dataset already opened from this folder, without creating one. */
export function datasetIdForRoot(db: Db, root: string): number | null {
  return (db.prepare('SELECT id FROM datasets WHERE root = ?').pluck().get(root) as number | undefined) ?? null
}

export interface StoredFormat {
  format: FormatId
  options: FormatOptions
  chosenBy: 'detection' | 'user'
  detected: FormatCandidate | null
  classes: SourceClass[]
}

export function getDatasetFormat(db: Db, datasetId: number): StoredFormat | null {
  const row = db
    .prepare('SELECT format, format_options, format_chosen_by, format_info FROM datasets WHERE id = ?')
    .get(datasetId) as
    | {
        format: FormatId | null
        format_options: string | null
        format_chosen_by: 'detection' | 'user' | null
        format_info: string | null
      }
    | undefined
  if (!row?.format) return null
  const info = row.format_info
    ? (JSON.parse(row.format_info) as { detected?: FormatCandidate | null; classes?: SourceClass[] })
    : {}
  return {
    format: row.format,
    options: row.format_options ? (JSON.parse(row.format_options) as FormatOptions) : {},
    chosenBy: row.format_chosen_by ?? 'detection',
    detected: info.detected ?? null,
    classes: info.classes ?? []
  }
}

export function saveDatasetFormat(db: Db, datasetId: number, stored: StoredFormat): void {
  db.prepare('UPDATE datasets SET format = ?, format_options = ?, format_chosen_by = ?, format_info = ? WHERE id = ?').run(
    stored.format,
    JSON.stringify(stored.options),
    stored.chosenBy,
    JSON.stringify({ detected: stored.detected, classes: stored.classes }),
    datasetId
  )
}

export interface StoredLabelFile {
  relPath: string
  size: number
  mtimeMs: number
  sha256: string
  /** gzip of the exact bytes; null when the file was above the keep limit. */
  content: Buffer | null
}

export function labelFileRows(db: Db, datasetId: number): StoredLabelFile[] {
  return db
    .prepare(
      `SELECT rel_path AS relPath, size, mtime_ms AS mtimeMs, sha256, content FROM label_files WHERE dataset_id = ? ORDER BY rel_path`
    )
    .all(datasetId) as StoredLabelFile[]
}

/**
 * Records the label files of the latest scan. Files the format no longer reads are forgotten;
 * files it still names but could not read this time (`unreadable`) keep their stored copy, so
 * the samples' lines stay exportable. Unchanged files are not rewritten.
 */
export function saveLabelFiles(
  db: Db,
  datasetId: number,
  files: StoredLabelFile[],
  readAt: string,
  unreadable: ReadonlySet<string> = new Set()
): void {
  const known = new Map(labelFileRows(db, datasetId).map((f) => [f.relPath, f]))
  const upsert = db.prepare(
    `INSERT INTO label_files (dataset_id, rel_path, size, mtime_ms, sha256, content, read_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (dataset_id, rel_path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms,
       sha256 = excluded.sha256, content = excluded.content, read_at = excluded.read_at`
  )
  const touch = db.prepare('UPDATE label_files SET mtime_ms = ? WHERE dataset_id = ? AND rel_path = ?')
  const forget = db.prepare('DELETE FROM label_files WHERE dataset_id = ? AND rel_path = ?')
  db.transaction(() => {
    for (const f of files) {
      const prior = known.get(f.relPath)
      if (prior && prior.sha256 === f.sha256 && (prior.content !== null) === (f.content !== null)) {
        if (prior.mtimeMs !== f.mtimeMs) touch.run(f.mtimeMs, datasetId, f.relPath)
      } else upsert.run(datasetId, f.relPath, f.size, f.mtimeMs, f.sha256, f.content, readAt)
      known.delete(f.relPath)
    }
    for (const relPath of known.keys()) if (!unreadable.has(relPath)) forget.run(datasetId, relPath)
  })()
}

/** What a cleaned export needs of a sample: where it is and its labels. */
export interface LabelRow {
  id: number
  relPath: string
  split: Split | null
  status: 'present' | 'missing'
  originalLabel: Label | null
  currentLabel: Label | null
}

/** What the source-format export needs of a sample: its labels and the label-file line it came from. */
export interface SourceLineRow extends LabelRow {
  labelFile: string | null
  line: number | null
}

export interface ExportRow extends SourceLineRow {
  token: string | null
  excluded: string | null
  extras: string | null
  /** The latest label event of the sample, if any. */
  changedAt: string | null
  changeSource: LabelSource | null
  /** The ranking's "most likely wrong" score; null before a ranking or where the label cannot be judged. */
  score: number | null
  suggestedLabel: Label | null
}

const LABEL_COLUMNS = `s.id, s.rel_path AS relPath, s.split, s.status, s.original_label AS originalLabel,
  s.current_label AS currentLabel`

/**
 * Every sample of a dataset with its labels, in path order: the cleaned exports' rows. Samples
 * whose image went missing are included (the exports decide what to do with them).
 */
export function labelRows(db: Db, datasetId: number): LabelRow[] {
  return db
    .prepare(`SELECT ${LABEL_COLUMNS} FROM samples s WHERE s.dataset_id = ? ORDER BY s.rel_path`)
    .all(datasetId) as LabelRow[]
}

/**
 * Samples of a dataset with their labels and source line, in path order: the source-format
 * export's rows. `changedOnly`: just those whose label differs from the file's, which is all a
 * label-file rewrite needs (18k rows instead of 1M at AffectNet's size, issue 19).
 */
export function sourceLineRows(db: Db, datasetId: number, { changedOnly = false } = {}): SourceLineRow[] {
  // The changed few are found in the covering samples_by_current index and sorted apart; filtering
  // every sample in path order instead read all 1M rows (3.2 s in sqlite3, 8.7 s of an export under
  // load; 0.2 s this way: issue 19).
  const which = changedOnly
    ? 's.id IN (SELECT id FROM samples WHERE dataset_id = ? AND current_label IS NOT original_label)'
    : 's.dataset_id = ?'
  return db
    .prepare(
      `SELECT ${LABEL_COLUMNS}, src.label_file AS labelFile, src.line
         FROM samples s LEFT JOIN sample_sources src ON src.sample_id = s.id
        WHERE ${which} ORDER BY s.rel_path`
    )
    .all(datasetId) as SourceLineRow[]
}

/** How many samples a dataset has, present or missing: every one has its line in the label files. */
export function sampleCount(db: Db, datasetId: number): number {
  return db.prepare('SELECT count(*) FROM samples WHERE dataset_id = ?').pluck().get(datasetId) as number
}

/**
 * Every sample of a dataset with its source line, latest change and ranking scores. Samples whose
 * image went missing are included: their label decisions are data too, and their lines are in the
 * files. The latest change comes from one grouped pass over the review log, not a lookup per
 * sample (issue 19: at 1M samples).
 */
export function exportRows(db: Db, datasetId: number): ExportRow[] {
  return db
    .prepare(
      `SELECT ${LABEL_COLUMNS},
              src.label_file AS labelFile, src.line, src.token, src.excluded, src.extras,
              ev.created_at AS changedAt, ev.source AS changeSource,
              r.score, ${SUGGESTED_SQL} AS suggestedLabel
         FROM samples s
         LEFT JOIN sample_sources src ON src.sample_id = s.id
         LEFT JOIN review_scores r ON r.sample_id = s.id
         LEFT JOIN (SELECT e.sample_id, max(e.id) AS id FROM review_events e JOIN samples x ON x.id = e.sample_id
                     WHERE x.dataset_id = ? AND e.kind = 'label' GROUP BY e.sample_id) last ON last.sample_id = s.id
         LEFT JOIN label_events ev ON ev.id = last.id
        WHERE s.dataset_id = ?
        ORDER BY s.rel_path`
    )
    .all(datasetId, datasetId) as ExportRow[]
}

export interface ChangeLogEntry {
  at: string
  relPath: string
  oldLabel: Label | null
  newLabel: Label | null
  source: LabelSource
}

/** Every label change of a dataset, oldest first: the change log that goes with an export. */
export function changeLog(db: Db, datasetId: number): ChangeLogEntry[] {
  return db
    .prepare(
      `SELECT ev.created_at AS at, s.rel_path AS relPath, ev.old_label AS oldLabel, ev.new_label AS newLabel, ev.source
         FROM label_events ev JOIN samples s ON s.id = ev.sample_id
        WHERE s.dataset_id = ?
        ORDER BY ev.id`
    )
    .all(datasetId) as ChangeLogEntry[]
}
