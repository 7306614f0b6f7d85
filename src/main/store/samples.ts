import type { Split } from '@shared/splits'
import type { Sample, SampleFilter, SamplePage, ScanProblem } from '@shared/types'
import type { Db } from './db'

/** What the store remembers of a file, to decide on a rescan whether it must be read again. */
export interface KnownFile {
  id: number
  size: number
  mtimeMs: number
  contentHash: string
  status: 'present' | 'missing'
}

export function knownFiles(db: Db, datasetId: number): Map<string, KnownFile> {
  const rows = db
    .prepare('SELECT id, rel_path, size, mtime_ms, content_hash, status FROM samples WHERE dataset_id = ?')
    .all(datasetId) as {
    id: number
    rel_path: string
    size: number
    mtime_ms: number
    content_hash: string
    status: 'present' | 'missing'
  }[]
  return new Map(
    rows.map((r) => [r.rel_path, { id: r.id, size: r.size, mtimeMs: r.mtime_ms, contentHash: r.content_hash, status: r.status }])
  )
}

export interface ScannedFile {
  relPath: string
  size: number
  mtimeMs: number
  contentHash: string
  split: Split | null
  originalLabel: string | null
}

export interface ScanChanges {
  added: ScannedFile[]
  /** Same path, new content (or a file that had gone missing and is back). */
  changed: (ScannedFile & { id: number })[]
  /** Same content; only the modification time moved. */
  touched: { id: number; mtimeMs: number }[]
  removedIds: number[]
  problems: ScanProblem[]
}

/** Writes one scan's outcome in a single transaction: a crash leaves the previous state. */
export function applyScanChanges(db: Db, datasetId: number, changes: ScanChanges): void {
  const insert = db.prepare(
    `INSERT INTO samples (dataset_id, rel_path, size, mtime_ms, content_hash, split, original_label, current_label)
     VALUES (@datasetId, @relPath, @size, @mtimeMs, @contentHash, @split, @originalLabel, @originalLabel)`
  )
  // A changed file keeps its current label: the researcher's decision outlives a re-encode.
  const update = db.prepare(
    `UPDATE samples SET size = @size, mtime_ms = @mtimeMs, content_hash = @contentHash, status = 'present'
     WHERE id = @id`
  )
  const touch = db.prepare('UPDATE samples SET mtime_ms = ? WHERE id = ?')
  const markMissing = db.prepare(`UPDATE samples SET status = 'missing' WHERE id = ?`)
  const clearProblems = db.prepare('DELETE FROM scan_problems WHERE dataset_id = ?')
  const addProblem = db.prepare('INSERT OR REPLACE INTO scan_problems (dataset_id, rel_path, kind, reason) VALUES (?, ?, ?, ?)')
  db.transaction(() => {
    for (const f of changes.added) insert.run({ datasetId, ...f })
    for (const f of changes.changed) update.run(f)
    for (const t of changes.touched) touch.run(t.mtimeMs, t.id)
    for (const id of changes.removedIds) markMissing.run(id)
    clearProblems.run(datasetId)
    for (const p of changes.problems) addProblem.run(datasetId, p.relPath, p.kind, p.reason)
  })()
}

export function listProblems(db: Db, datasetId: number): ScanProblem[] {
  return db
    .prepare(
      `SELECT rel_path AS relPath, kind, reason FROM scan_problems WHERE dataset_id = ?
       ORDER BY kind = 'ignored', rel_path`
    )
    .all(datasetId) as ScanProblem[]
}

const SAMPLE_COLUMNS = `id, rel_path AS relPath, split, original_label AS originalLabel,
  current_label AS currentLabel, size`

function filterClause(filter: SampleFilter): { sql: string; params: unknown[] } {
  const parts: string[] = []
  const params: unknown[] = []
  const eq = (column: string, value: string | null | undefined): void => {
    if (value === undefined) return
    if (value === null) parts.push(`${column} IS NULL`)
    else {
      parts.push(`${column} = ?`)
      params.push(value)
    }
  }
  eq('current_label', filter.currentLabel)
  eq('original_label', filter.originalLabel)
  eq('split', filter.split)
  if (filter.changedOnly) parts.push('current_label IS NOT original_label')
  return { sql: parts.map((p) => ` AND ${p}`).join(''), params }
}

/** One page of the grid. Order is the scan order (sorted paths), stable across pages. */
export function querySamples(db: Db, datasetId: number, filter: SampleFilter, offset: number, limit: number): SamplePage {
  const where = filterClause(filter)
  const base = `FROM samples WHERE dataset_id = ? AND status = 'present'${where.sql}`
  const total = db
    .prepare(`SELECT count(*) ${base}`)
    .pluck()
    .get(datasetId, ...where.params) as number
  const samples = db
    .prepare(`SELECT ${SAMPLE_COLUMNS} ${base} ORDER BY rel_path LIMIT ? OFFSET ?`)
    .all(datasetId, ...where.params, limit, offset) as Sample[]
  return { total, offset, samples }
}

export function getSampleRow(db: Db, sampleId: number): (Sample & { datasetId: number; contentHash: string }) | null {
  const row = db
    .prepare(`SELECT ${SAMPLE_COLUMNS}, dataset_id AS datasetId, content_hash AS contentHash FROM samples WHERE id = ?`)
    .get(sampleId) as (Sample & { datasetId: number; contentHash: string }) | undefined
  return row ?? null
}

export function sampleFlags(db: Db, sampleId: number): string[] {
  return db.prepare('SELECT flag FROM flags WHERE sample_id = ? ORDER BY flag').pluck().all(sampleId) as string[]
}

/** All present samples of a dataset, for export. */
export function allSamples(db: Db, datasetId: number): Sample[] {
  return db
    .prepare(`SELECT ${SAMPLE_COLUMNS} FROM samples WHERE dataset_id = ? AND status = 'present' ORDER BY rel_path`)
    .all(datasetId) as Sample[]
}
