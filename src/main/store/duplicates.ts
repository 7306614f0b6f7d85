import type { DuplicateFilter, SampleDuplicate } from '@shared/duplicates'
import type { GreyPixels } from '@shared/formats/types'
import type { DuplicateCandidate } from '../duplicates/groups'
import type { Fingerprint } from '../duplicates/fingerprint'
import { FLAT_FACE } from '../review/oddness'
import { nowIso, type Db } from './db'

/**
 * Fingerprints (per image content and algorithm) and duplicate groups (per dataset, with what
 * produced them). The search itself is ../duplicates; this is where its inputs and results live.
 */

/** A content of the dataset that has no fingerprint by `algorithm` yet, and where to read it. */
export interface UnfingerprintedContent {
  contentHash: string
  relPath: string
  /** Set for samples without a file (FER2013 rows). */
  pixels: GreyPixels | null
}

export function contentsWithoutFingerprint(db: Db, datasetId: number, algorithm: string): UnfingerprintedContent[] {
  const rows = db
    .prepare(
      `SELECT s.content_hash AS contentHash, min(s.rel_path) AS relPath, min(s.id) AS id FROM samples s
        WHERE s.dataset_id = ? AND s.status = 'present'
          AND NOT EXISTS (SELECT 1 FROM image_fingerprints f WHERE f.content_hash = s.content_hash AND f.algorithm = ?)
        GROUP BY s.content_hash ORDER BY min(s.rel_path)`
    )
    .all(datasetId, algorithm) as { contentHash: string; relPath: string; id: number }[]
  const pixelsOf = db.prepare('SELECT pixels, width, height FROM sample_sources WHERE sample_id = ? AND pixels IS NOT NULL')
  return rows.map((r) => {
    const p = pixelsOf.get(r.id) as { pixels: Buffer; width: number; height: number } | undefined
    return {
      contentHash: r.contentHash,
      relPath: r.relPath,
      pixels: p ? { width: p.width, height: p.height, data: new Uint8Array(p.pixels) } : null
    }
  })
}

/** Whether a content has a fingerprint by `algorithm`: one statement, asked once per file a scan reads. */
export function fingerprintLookup(db: Db, algorithm: string): (contentHash: string) => boolean {
  const get = db.prepare('SELECT 1 FROM image_fingerprints WHERE content_hash = ? AND algorithm = ?')
  return (contentHash) => get.get(contentHash, algorithm) !== undefined
}

export type FingerprintOutcome = { contentHash: string } & ({ fingerprint: Fingerprint } | { error: string })

/** Stores one batch in one transaction: a cancelled or crashed scan keeps whole batches. */
export function saveFingerprints(db: Db, algorithm: string, outcomes: FingerprintOutcome[]): void {
  const put = db.prepare(
    `INSERT OR REPLACE INTO image_fingerprints (content_hash, algorithm, pixel_hash, thumb, contrast, error, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`
  )
  const now = nowIso()
  db.transaction(() => {
    for (const o of outcomes) {
      if ('fingerprint' in o) {
        const { pixelHash, thumb, contrast } = o.fingerprint
        put.run(o.contentHash, algorithm, pixelHash, thumb, contrast, null, now)
      } else put.run(o.contentHash, algorithm, null, null, null, o.error, now)
    }
  })()
}

/** The distinct contents of a dataset that have a thumbnail: their pixel keys and the thumbnails, packed. */
export interface PackedThumbnails {
  keys: string[]
  /** keys.length thumbnails of `thumbBytes` each, one after another. */
  pixels: Uint8Array
}

/**
 * Every present sample with the key of its decoded pixels, and each distinct content's thumbnail
 * (one per pixel key; none where the image would not decode): what the grouping works on. Rows are
 * read one at a time into one packed array: at 300,000 faces, all rows at once with a Buffer each
 * held hundreds of megabytes more.
 */
export function duplicateCandidates(
  db: Db,
  datasetId: number,
  algorithm: string,
  thumbBytes: number
): { samples: DuplicateCandidate[]; thumbs: PackedThumbnails } {
  // One read transaction: the count that sizes the array and the rows come from one snapshot, though
  // another process may be scanning into the store meanwhile.
  return db.transaction(() => {
    const present = db
      .prepare(`SELECT count(*) FROM samples WHERE dataset_id = ? AND status = 'present'`)
      .pluck()
      .get(datasetId) as number
    const pixels = new Uint8Array(present * thumbBytes)
    const keys: string[] = []
    const seen = new Set<string>()
    const samples: DuplicateCandidate[] = []
    const rows = db
      .prepare(
        `SELECT s.id, s.content_hash AS contentHash, f.pixel_hash AS pixelHash, f.thumb
           FROM samples s LEFT JOIN image_fingerprints f ON f.content_hash = s.content_hash AND f.algorithm = ?
          WHERE s.dataset_id = ? AND s.status = 'present' ORDER BY s.id`
      )
      .iterate(algorithm, datasetId) as IterableIterator<{
      id: number
      contentHash: string
      pixelHash: string | null
      thumb: Buffer | null
    }>
    for (const r of rows) {
      // Undecodable images still group with byte-identical files.
      const pixelKey = r.pixelHash ?? `bytes:${r.contentHash}`
      samples.push({ sampleId: r.id, pixelKey })
      if (!r.thumb || r.thumb.length !== thumbBytes || seen.has(pixelKey)) continue
      seen.add(pixelKey)
      pixels.set(r.thumb, keys.length * thumbBytes)
      keys.push(pixelKey)
    }
    // A view, not a copy: the room exact duplicates leave over stays allocated, a copy would briefly double it.
    return { samples, thumbs: { keys, pixels: pixels.subarray(0, keys.length * thumbBytes) } }
  })()
}

/**
 * The present samples of a dataset whose thumbnail's contrast is under FLAT_FACE (the frames
 * flatness counts), with it. The partial index image_fingerprints_flat (migrations.ts, bound 8;
 * INDEXED BY fails loudly should FLAT_FACE rise above it) drives the join, which CROSS JOIN fixes
 * in SQLite: walking the dataset's samples instead would read every fingerprint row, thumbnails and all.
 */
export const NEARLY_EMPTY_FRAMES_SQL = `SELECT s.id AS sampleId, f.contrast
   FROM image_fingerprints f INDEXED BY image_fingerprints_flat
   CROSS JOIN samples s ON s.content_hash = f.content_hash AND s.dataset_id = ? AND s.status = 'present'
  WHERE f.algorithm = ? AND f.contrast < ${FLAT_FACE}`

export function nearlyEmptyFrames(db: Db, datasetId: number, algorithm: string): { sampleId: number; contrast: number }[] {
  return db.prepare(NEARLY_EMPTY_FRAMES_SQL).all(datasetId, algorithm) as { sampleId: number; contrast: number }[]
}

/**
 * Gives up to `batch` thumbnails stored before contrasts were kept theirs (`contrastOf` computes
 * one), in one transaction; returns how many, 0 once none is left (the partial index
 * image_fingerprints_without_contrast it reads from is then empty).
 */
export function fillMissingContrasts(db: Db, algorithm: string, contrastOf: (thumb: Uint8Array) => number, batch = 5000): number {
  const rows = db
    .prepare(
      'SELECT content_hash AS contentHash, thumb FROM image_fingerprints WHERE algorithm = ? AND contrast IS NULL AND thumb IS NOT NULL LIMIT ?'
    )
    .all(algorithm, batch) as { contentHash: string; thumb: Buffer }[]
  const set = db.prepare('UPDATE image_fingerprints SET contrast = ? WHERE content_hash = ? AND algorithm = ?')
  db.transaction(() => {
    for (const r of rows) set.run(contrastOf(r.thumb), r.contentHash, algorithm)
  })()
  return rows.length
}

/** What produced a dataset's stored groups, or null when it has none (never grouped, or invalidated). */
export function groupingProducedBy(db: Db, datasetId: number): string | null {
  return (db.prepare('SELECT produced_by FROM duplicate_groupings WHERE dataset_id = ?').pluck().get(datasetId) as string) ?? null
}

export function forgetGrouping(db: Db, datasetId: number): void {
  db.prepare('DELETE FROM duplicate_groupings WHERE dataset_id = ?').run(datasetId)
}

/** Two contents the near-duplicate search compared closely, by pixel key, with the verifier's score. */
export interface ClosePair {
  pixelKeyA: string
  pixelKeyB: string
  score: number
}

/** Replaces a dataset's groups, and the close pairs they were made from, in one transaction. */
export function saveGroups(
  db: Db,
  datasetId: number,
  groupOf: ReadonlyMap<number, number>,
  pixelKeys: ReadonlyMap<number, string>,
  producedBy: string,
  closePairs: Iterable<ClosePair> = []
): void {
  const put = db.prepare('INSERT INTO duplicate_members (sample_id, dataset_id, group_id, pixel_key) VALUES (?, ?, ?, ?)')
  const putPair = db.prepare(
    'INSERT OR REPLACE INTO near_duplicate_pairs (dataset_id, pixel_key_a, pixel_key_b, score) VALUES (?, ?, ?, ?)'
  )
  db.transaction(() => {
    db.prepare('DELETE FROM duplicate_members WHERE dataset_id = ?').run(datasetId)
    db.prepare('DELETE FROM near_duplicate_pairs WHERE dataset_id = ?').run(datasetId)
    for (const [sampleId, group] of groupOf) put.run(sampleId, datasetId, group, pixelKeys.get(sampleId) ?? '')
    for (const p of closePairs) {
      const [a, b] = p.pixelKeyA < p.pixelKeyB ? [p.pixelKeyA, p.pixelKeyB] : [p.pixelKeyB, p.pixelKeyA]
      putPair.run(datasetId, a, b, p.score)
    }
    db.prepare(
      `INSERT INTO duplicate_groupings (dataset_id, produced_by, computed_at) VALUES (?, ?, ?)
       ON CONFLICT (dataset_id) DO UPDATE SET produced_by = excluded.produced_by, computed_at = excluded.computed_at`
    ).run(datasetId, producedBy, nowIso())
  })()
}

/**
 * SQL: each group of dataset `?` with its present members' facts. Splits compare with NULL as a
 * split of its own (an unsplit copy of a test face is still a copy); labels compare only where
 * members have one.
 */
const GROUP_FACTS_SQL = `SELECT d.group_id, count(*) AS size,
    count(DISTINCT coalesce(x.split, '')) > 1 AS crossSplit,
    count(DISTINCT x.current_label) > 1 AS labelsDisagree
   FROM duplicate_members d JOIN samples x ON x.id = d.sample_id
  WHERE d.dataset_id = ? AND x.status = 'present'
  GROUP BY d.group_id`

/** The grid filter's SQL on `samples s`, with its parameters. */
export function duplicateFilterSql(datasetId: number, filter: DuplicateFilter): { sql: string; params: unknown[] } {
  if (filter === 'any') return { sql: 'EXISTS (SELECT 1 FROM duplicate_members d WHERE d.sample_id = s.id)', params: [] }
  const column = filter === 'leakage' ? 'crossSplit' : 'labelsDisagree'
  return {
    sql: `EXISTS (SELECT 1 FROM duplicate_members d WHERE d.sample_id = s.id AND d.group_id IN
            (SELECT group_id FROM (${GROUP_FACTS_SQL}) WHERE ${column}))`,
    params: [datasetId]
  }
}

/** ORDER BY for the duplicates queue: group by group, members side by side in scan order. */
export const DUPLICATE_ORDER_SQL = '(SELECT d.group_id FROM duplicate_members d WHERE d.sample_id = s.id), s.id'

/** The duplicate group of each of these samples that has one. */
export function duplicateBriefs(db: Db, datasetId: number, sampleIds: number[]): Map<number, SampleDuplicate> {
  const out = new Map<number, SampleDuplicate>()
  if (!sampleIds.length) return out
  const rows = db
    .prepare(
      `SELECT d.sample_id AS id, g.group_id AS "group", g.size, g.crossSplit, g.labelsDisagree,
              EXISTS (SELECT 1 FROM duplicate_members o JOIN samples y ON y.id = o.sample_id
                       WHERE o.group_id = d.group_id AND o.dataset_id = d.dataset_id AND o.sample_id != d.sample_id
                         AND o.pixel_key = d.pixel_key AND y.status = 'present') AS exact
         FROM duplicate_members d JOIN (${GROUP_FACTS_SQL}) g ON g.group_id = d.group_id
        WHERE d.sample_id IN (SELECT value FROM json_each(?))`
    )
    .all(datasetId, JSON.stringify(sampleIds)) as {
    id: number
    group: number
    size: number
    crossSplit: number
    labelsDisagree: number
    exact: number
  }[]
  for (const r of rows)
    out.set(r.id, {
      group: r.group,
      size: r.size,
      exact: r.exact === 1,
      crossSplit: r.crossSplit === 1,
      labelsDisagree: r.labelsDisagree === 1
    })
  return out
}

/**
 * The present members of a sample's duplicate group, in scan order (empty when it has none), and
 * whether they all share the same decoded pixels.
 */
export function groupMembers(db: Db, sampleId: number): { members: number[]; exactOnly: boolean } {
  const rows = db
    .prepare(
      `SELECT d.sample_id AS id, d.pixel_key AS pixelKey FROM duplicate_members d JOIN samples x ON x.id = d.sample_id
        WHERE x.status = 'present' AND d.group_id = (SELECT group_id FROM duplicate_members WHERE sample_id = ?)
          AND d.dataset_id = (SELECT dataset_id FROM duplicate_members WHERE sample_id = ?)
        ORDER BY d.sample_id`
    )
    .all(sampleId, sampleId) as { id: number; pixelKey: string }[]
  return { members: rows.map((r) => r.id), exactOnly: new Set(rows.map((r) => r.pixelKey)).size <= 1 }
}

/**
 * These samples and the other members of their duplicate groups: a relabel changes the group's
 * "labels differ" badge on every member, so all of them are what a window must patch.
 */
export function withGroupMembers(db: Db, datasetId: number, sampleIds: number[]): number[] {
  const others = db
    .prepare(
      `SELECT m.sample_id FROM duplicate_members m
        WHERE m.dataset_id = ? AND m.group_id IN (
          SELECT d.group_id FROM duplicate_members d WHERE d.sample_id IN (SELECT value FROM json_each(?)))`
    )
    .pluck()
    .all(datasetId, JSON.stringify(sampleIds)) as number[]
  return [...new Set([...sampleIds, ...others])]
}
