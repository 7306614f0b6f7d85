import { basename } from 'node:path'
import { sortLabels } from '@shared/emotions'
import { SPLITS, type Split } from '@shared/splits'
import type { DatasetSummary } from '@shared/types'
import { nowIso, type Db } from './db'

/** Finds the dataset row for a folder, creating it on first open. */
export function ensureDataset(db: Db, root: string): number {
  const existing = db.prepare('SELECT id FROM datasets WHERE root = ?').get(root) as { id: number } | undefined
  const now = nowIso()
  if (existing) {
    db.prepare('UPDATE datasets SET opened_at = ? WHERE id = ?').run(now, existing.id)
    return existing.id
  }
  const info = db
    .prepare('INSERT INTO datasets (root, name, created_at, opened_at) VALUES (?, ?, ?, ?)')
    .run(root, basename(root) || root, now, now)
  return Number(info.lastInsertRowid)
}

/** The listing signature of the dataset's last whole scan and when it was made, or null (none kept). */
export function lastListing(db: Db, datasetId: number): { signature: string; listedAt: string } | null {
  return (
    (db.prepare('SELECT signature, listed_at AS listedAt FROM dataset_listings WHERE dataset_id = ?').get(datasetId) as
      { signature: string; listedAt: string } | undefined) ?? null
  )
}

/** null forgets it: the next open scans whole. */
export function saveListingSignature(db: Db, datasetId: number, signature: string | null): void {
  if (signature === null) {
    db.prepare('DELETE FROM dataset_listings WHERE dataset_id = ?').run(datasetId)
    return
  }
  db.prepare(
    `INSERT INTO dataset_listings (dataset_id, signature, listed_at) VALUES (?, ?, ?)
     ON CONFLICT (dataset_id) DO UPDATE SET signature = excluded.signature, listed_at = excluded.listed_at`
  ).run(datasetId, signature, nowIso())
}

export function datasetRoot(db: Db, datasetId: number): string | null {
  const row = db.prepare('SELECT root FROM datasets WHERE id = ?').get(datasetId) as { root: string } | undefined
  return row?.root ?? null
}

/**
 * The distinct labels of a column among a dataset's present samples, by one index seek per label
 * (each next label is the smallest one above the last) instead of reading all of its entries:
 * a handful of seeks, where a DISTINCT or UNION read 1M index entries (issue 19).
 */
function distinctLabels(db: Db, datasetId: number, column: 'original_label' | 'current_label'): string[] {
  const where = `dataset_id = ? AND status = 'present'`
  return db
    .prepare(
      `WITH RECURSIVE next(label) AS (
         SELECT min(${column}) FROM samples WHERE ${where}
         UNION ALL
         SELECT (SELECT min(${column}) FROM samples WHERE ${where} AND ${column} > next.label) FROM next WHERE next.label IS NOT NULL
       )
       SELECT label FROM next WHERE label IS NOT NULL`
    )
    .pluck()
    .all(datasetId, datasetId) as string[]
}

export function getDatasetSummary(db: Db, datasetId: number): DatasetSummary | null {
  const ds = db
    .prepare('SELECT id, root, name, opened_at, out_of_sample_declared_at FROM datasets WHERE id = ?')
    .get(datasetId) as
    { id: number; root: string; name: string; opened_at: string; out_of_sample_declared_at: string | null } | undefined
  if (!ds) return null
  const counts = db
    .prepare(
      `SELECT count(*) AS n,
              count(current_label) AS labelled,
              sum(current_label IS NOT original_label) AS changed
         FROM samples WHERE dataset_id = ? AND status = 'present'`
    )
    .get(datasetId) as { n: number; labelled: number; changed: number | null }
  const labels = [
    ...new Set([...distinctLabels(db, datasetId, 'original_label'), ...distinctLabels(db, datasetId, 'current_label')])
  ]
  const perSplit = db
    .prepare(
      `SELECT split, count(*) AS n FROM samples WHERE dataset_id = ? AND status = 'present' AND split IS NOT NULL GROUP BY split`
    )
    .all(datasetId) as { split: Split; n: number }[]
  const splits = perSplit.map((r) => r.split)
  const problems = db
    .prepare(`SELECT count(*) FROM scan_problems WHERE dataset_id = ? AND kind = 'error'`)
    .pluck()
    .get(datasetId) as number
  return {
    id: ds.id,
    root: ds.root,
    name: ds.name,
    openedAt: ds.opened_at,
    sampleCount: counts.n,
    labelledCount: counts.labelled,
    changedCount: counts.changed ?? 0,
    problemCount: problems,
    labels: sortLabels(labels),
    splits: SPLITS.filter((s) => splits.includes(s)),
    splitCounts: Object.fromEntries(perSplit.map((r) => [r.split, r.n])),
    outOfSampleDeclaredAt: ds.out_of_sample_declared_at
  }
}

/**
 * Declares (or withdraws) that the models run on this dataset never trained on its images. Stored
 * with the dataset, so it holds across restarts and reaches the ranking (review/outOfSample.ts) and
 * the provenance export. Returns when it was declared, or null.
 */
export function declareOutOfSample(db: Db, datasetId: number, declared: boolean): string | null {
  // A repeated declaration keeps its first date: that is when the researcher said so.
  if (declared)
    db.prepare('UPDATE datasets SET out_of_sample_declared_at = coalesce(out_of_sample_declared_at, ?) WHERE id = ?').run(
      nowIso(),
      datasetId
    )
  else db.prepare('UPDATE datasets SET out_of_sample_declared_at = NULL WHERE id = ?').run(datasetId)
  return outOfSampleDeclaredAt(db, datasetId)
}

export function outOfSampleDeclaredAt(db: Db, datasetId: number): string | null {
  return (
    (db.prepare('SELECT out_of_sample_declared_at FROM datasets WHERE id = ?').pluck().get(datasetId) as
      string | null | undefined) ?? null
  )
}

export function listDatasetIds(db: Db): number[] {
  return db.prepare('SELECT id FROM datasets ORDER BY opened_at DESC').pluck().all() as number[]
}
