import type { Db } from './db'

/**
 * Files the scanner read and refused for what they contain, with the size and modification time
 * they had then. A file that still has both is refused again without being read, the same rule
 * that lets an unchanged sample skip its read.
 */
export interface RejectedFile {
  relPath: string
  size: number
  mtimeMs: number
  reason: string
}

export function rejectedFiles(db: Db, datasetId: number): Map<string, RejectedFile> {
  const rows = db
    .prepare('SELECT rel_path AS relPath, size, mtime_ms AS mtimeMs, reason FROM rejected_files WHERE dataset_id = ?')
    .all(datasetId) as RejectedFile[]
  return new Map(rows.map((r) => [r.relPath, r]))
}

/** Replaces the dataset's list with this scan's: a file that is gone or now accepted drops out. */
export function saveRejectedFiles(db: Db, datasetId: number, files: readonly RejectedFile[]): void {
  const insert = db.prepare('INSERT INTO rejected_files (dataset_id, rel_path, size, mtime_ms, reason) VALUES (?, ?, ?, ?, ?)')
  db.transaction(() => {
    db.prepare('DELETE FROM rejected_files WHERE dataset_id = ?').run(datasetId)
    for (const f of files) insert.run(datasetId, f.relPath, f.size, f.mtimeMs, f.reason)
  })()
}
