import { createHash } from 'node:crypto'
import type { Label } from '@shared/emotions'
import type { GreyPixels, RecordSource } from '@shared/formats/types'
import type { Split } from '@shared/splits'
import {
  MAX_PAGE_ROWS,
  type Sample,
  type SampleFilter,
  type SamplePage,
  type SampleSort,
  type SampleSource,
  type ScanProblem
} from '@shared/types'
import { nowIso, type Db } from './db'
import { hasRanking, MISSING_IDS_SQL, reviewBriefs, sampleMarks } from './review'
import { DUPLICATE_ORDER_SQL, duplicateBriefs } from './duplicates'
import { untilWrite } from './untilWrite'
import { filterClause, scoresJoin, type FilterClause } from './sampleFilters'
import { scoreOrderedPage, scoreOrderedPosition } from './scoredPages'

/** What the store remembers of a file, to decide on a rescan whether it must be read again. */
export interface KnownFile {
  id: number
  size: number
  mtimeMs: number
  contentHash: string
  status: 'present' | 'missing'
  split: Split | null
  originalLabel: Label | null
  /** The stored source, as `sourceSignature` writes it; null when the sample has none. */
  source: string | null
  /** The label file the stored source is in. */
  sourceFile: string | null
}

/** knownFiles' row, column for column. */
type KnownRow = [
  ...[id: number, relPath: string, size: number, mtimeMs: number, contentHash: string, status: 'present' | 'missing'],
  ...[split: Split | null, originalLabel: Label | null],
  ...[labelFile: string | null, line: number, token: string, excluded: string | null, extras: string | null]
]

export function knownFiles(db: Db, datasetId: number): Map<string, KnownFile> {
  // Rows as arrays, not objects: at 300,000 samples better-sqlite3's row objects took 2-2.8 s to
  // read, the same rows as arrays 0.7 s (a reopen reads every row).
  const rows = db
    .prepare(
      `SELECT s.id, s.rel_path, s.size, s.mtime_ms, s.content_hash, s.status, s.split, s.original_label,
              src.label_file, src.line, src.token, src.excluded, src.extras
         FROM samples s LEFT JOIN sample_sources src ON src.sample_id = s.id
        WHERE s.dataset_id = ?`
    )
    .raw()
    .iterate(datasetId) as IterableIterator<KnownRow>
  const known = new Map<string, KnownFile>()
  for (const [id, relPath, size, mtimeMs, contentHash, status, split, originalLabel, ...source] of rows) {
    const [labelFile, line, token, excluded, extras] = source
    known.set(relPath, {
      id,
      size,
      mtimeMs,
      contentHash,
      status,
      split,
      originalLabel,
      sourceFile: labelFile,
      source: labelFile === null ? null : storedSourceSignature(labelFile, line, token, excluded, extras)
    })
  }
  return known
}

function parseExtras(json: string | null): Record<string, unknown> | undefined {
  return json ? (JSON.parse(json) as Record<string, unknown>) : undefined
}

/** One string per source, to tell on a rescan whether a sample's source line moved or changed. */
export function sourceSignature(source: RecordSource | null): string | null {
  return source ? JSON.stringify([source.file, source.line, source.token, source.excluded ?? null, source.extras ?? null]) : null
}

/**
 * `sourceSignature` of a source as stored (applyScanChanges writes extras with JSON.stringify), built
 * from its columns without parsing the extras back: the same string, for a fraction of the cost.
 */
export function storedSourceSignature(
  file: string,
  line: number,
  token: string,
  excluded: string | null,
  extras: string | null
): string {
  return `[${JSON.stringify(file)},${JSON.stringify(line)},${JSON.stringify(token)},${excluded === null ? 'null' : JSON.stringify(excluded)},${extras ?? 'null'}]`
}

export interface ScannedFile {
  relPath: string
  size: number
  mtimeMs: number
  contentHash: string
  split: Split | null
  originalLabel: string | null
  /** Where the label was read (label-file formats); null or absent for ImageFolder. */
  source?: RecordSource | null
  /** The image itself, for samples without an image file (FER2013 rows). */
  pixels?: GreyPixels
}

export interface ScanChanges {
  added: ScannedFile[]
  /** Same path, new content (or a file that had gone missing and is back). */
  changed: (ScannedFile & { id: number })[]
  /** Same content; only the modification time moved. */
  touched: { id: number; mtimeMs: number }[]
  removedIds: number[]
  problems: ScanProblem[]
  /**
   * Known samples whose label file now says something else (edited file, another format or
   * FERPlus mode). The original label follows the file; the current label follows too unless the
   * user had changed it, and that move is recorded as an 'import' event.
   */
  relabelled?: { id: number; split: Split | null; originalLabel: Label | null }[]
  /** Known samples whose source line or extras changed (null: no longer from a label file). */
  sources?: { id: number; source: RecordSource | null; pixels?: GreyPixels }[]
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
  const addProblem = db.prepare('INSERT INTO scan_problems (dataset_id, rel_path, line, kind, reason) VALUES (?, ?, ?, ?, ?)')
  const writeSource = db.prepare(
    `INSERT INTO sample_sources (sample_id, label_file, line, token, excluded, extras, pixels, width, height)
     VALUES (@id, @file, @line, @token, @excluded, @extras, @pixels, @width, @height)
     ON CONFLICT (sample_id) DO UPDATE SET label_file = excluded.label_file, line = excluded.line, token = excluded.token,
       excluded = excluded.excluded, extras = excluded.extras,
       pixels = coalesce(excluded.pixels, pixels), width = coalesce(excluded.width, width), height = coalesce(excluded.height, height)`
  )
  const dropSource = db.prepare('DELETE FROM sample_sources WHERE sample_id = ?')
  const saveSource = (id: number, source: RecordSource | null | undefined, pixels?: GreyPixels): void => {
    if (!source) {
      dropSource.run(id)
      return
    }
    writeSource.run({
      id,
      file: source.file,
      line: source.line,
      token: source.token,
      excluded: source.excluded ?? null,
      extras: source.extras ? JSON.stringify(source.extras) : null,
      pixels: pixels ? Buffer.from(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength) : null,
      width: pixels?.width ?? null,
      height: pixels?.height ?? null
    })
  }
  const readLabels = db.prepare('SELECT original_label AS original, current_label AS current FROM samples WHERE id = ?')
  const relabel = db.prepare('UPDATE samples SET original_label = ?, split = ? WHERE id = ?')
  const follow = db.prepare('UPDATE samples SET current_label = ? WHERE id = ?')
  const logImport = db.prepare(
    `INSERT INTO label_events (sample_id, batch_id, old_label, new_label, source, created_at) VALUES (?, NULL, ?, ?, 'import', ?)`
  )
  const now = nowIso()
  db.transaction(() => {
    for (const f of changes.added) {
      const { source, pixels, ...row } = f
      const id = Number(insert.run({ datasetId, ...row }).lastInsertRowid)
      if (source) saveSource(id, source, pixels)
    }
    for (const f of changes.changed) update.run({ id: f.id, size: f.size, mtimeMs: f.mtimeMs, contentHash: f.contentHash })
    for (const t of changes.touched) touch.run(t.mtimeMs, t.id)
    for (const id of changes.removedIds) markMissing.run(id)
    for (const r of changes.relabelled ?? []) {
      const before = readLabels.get(r.id) as { original: Label | null; current: Label | null } | undefined
      if (!before) continue
      relabel.run(r.originalLabel, r.split, r.id)
      // The user's own decision outlives a change in the file; an untouched label follows it.
      if (before.current === before.original && before.current !== r.originalLabel) {
        follow.run(r.originalLabel, r.id)
        logImport.run(r.id, before.current, r.originalLabel, now)
      }
    }
    for (const s of changes.sources ?? []) saveSource(s.id, s.source, s.pixels)
    clearProblems.run(datasetId)
    for (const p of changes.problems) addProblem.run(datasetId, p.relPath, p.line ?? null, p.kind, p.reason)
  })()
}

/** What the last scan reported, in its order, and how many samples it left present. */
export function lastScanOutcome(db: Db, datasetId: number): { present: number; problems: ScanProblem[] } {
  const present = db
    .prepare(`SELECT count(*) FROM samples WHERE dataset_id = ? AND status = 'present'`)
    .pluck()
    .get(datasetId) as number
  const rows = db
    .prepare('SELECT rel_path AS relPath, line, kind, reason FROM scan_problems WHERE dataset_id = ? ORDER BY id')
    .all(datasetId) as (ScanProblem & { line: number | null })[]
  return { present, problems: rows.map(({ line, ...p }) => (line === null ? p : { ...p, line })) }
}

export function listProblems(db: Db, datasetId: number): ScanProblem[] {
  const rows = db
    .prepare(
      `SELECT rel_path AS relPath, line, kind, reason FROM scan_problems WHERE dataset_id = ?
       ORDER BY kind = 'ignored', rel_path, line, id`
    )
    .all(datasetId) as (ScanProblem & { line: number | null })[]
  return rows.map(({ line, ...p }) => (line === null ? p : { ...p, line }))
}

const SAMPLE_COLUMNS = `id, rel_path AS relPath, split, original_label AS originalLabel,
  current_label AS currentLabel, size`

/** SAMPLE_COLUMNS of `samples s`, for queries that join the review scores. */
const GRID_COLUMNS = `s.id, s.rel_path AS relPath, s.split, s.original_label AS originalLabel,
  s.current_label AS currentLabel, s.size`

/**
 * ORDER BY for the orders SQL still sorts: paths, and the duplicates queue (each group's members side
 * by side, whatever the sort). Orders by a score are kept in memory (./scoreOrders.ts).
 */
function orderClause(sort: SampleSort, filter: SampleFilter): string {
  if (filter.duplicates !== undefined) return DUPLICATE_ORDER_SQL
  return `s.rel_path ${sort.reverse ? 'DESC' : 'ASC'}`
}

/** Whether the view is ordered by a score (or is the odd-images queue): read from ./scoreOrders.ts. */
function byScore(filter: SampleFilter, sort: SampleSort): boolean {
  return filter.sampleIds === undefined && filter.duplicates === undefined && (!!filter.odd || sort.by !== 'path')
}

/**
 * One page of the grid, in scan order (sorted paths) unless a sort is asked for; stable across
 * pages. Where the dataset has a label-issue ranking, each sample carries its review marks.
 * At most MAX_PAGE_ROWS rows, so one request cannot ask for 35k thumbnails' worth of rows; the page
 * answers the limit it applied, so a client that asked for more knows to page on.
 */
export function querySamples(
  db: Db,
  datasetId: number,
  filter: SampleFilter,
  offset: number,
  askedLimit: number,
  sort: SampleSort = { by: 'path' }
): SamplePage {
  const limit = Math.min(askedLimit, MAX_PAGE_ROWS)
  const where = filterClause(datasetId, filter)
  let total: number
  let samples: Sample[]
  if (filter.sampleIds !== undefined) {
    // An explicit list is shown in its own order (most similar first), whatever the sort.
    const listed = listedIds(db, datasetId, filter, where)
    total = listed.length
    samples = rowsInOrder(db, Array.from(listed.subarray(offset, offset + limit)))
  } else if (byScore(filter, sort)) {
    const page = scoreOrderedPage(db, datasetId, filter, sort, offset, limit)
    total = page.total
    samples = rowsInOrder(db, page.ids)
  } else {
    const join = scoresJoin(where)
    const base = `FROM ${where.from}${join} WHERE s.dataset_id = ? AND s.status = 'present'${where.sql}`
    const params = [datasetId, ...where.params]
    // The total is the same for every page and order of a filter: counted once until a write (0.1-1 s at 1M).
    total = untilWrite(db, `total:${datasetId}:${JSON.stringify(filter)}`, () =>
      db
        .prepare(`SELECT count(*) ${base}`)
        .pluck()
        .get(...params)
    ) as number
    // Past the end (an empty queue, most often) there is nothing to read: the kept total says so.
    if (offset >= total) samples = []
    else if (where.sql === '') samples = rowsInOrder(db, pathPage(db, datasetId, sort, offset, limit, total))
    else if (!join) {
      samples = db
        .prepare(`SELECT ${GRID_COLUMNS} ${base} ORDER BY ${orderClause(sort, filter)} LIMIT ? OFFSET ?`)
        .all(...params, limit, offset) as Sample[]
    } else {
      // Two steps: order the ids alone (SQLite's sorter then carries one integer per row, not the
      // paths and labels of all 35k), then read the page's rows.
      const ids = db
        .prepare(`SELECT s.id ${base} ORDER BY ${orderClause(sort, filter)} LIMIT ? OFFSET ?`)
        .pluck()
        .all(...params, limit, offset) as number[]
      samples = rowsInOrder(db, ids)
    }
  }
  decorate(db, datasetId, samples)
  return { total, offset, limit, capped: askedLimit > limit, samples }
}

/**
 * The ids of an explicit list (a lasso, "more like this") that pass the rest of the filter, once
 * each in the list's order, kept until a write like the filter totals: each page is then a slice of
 * it. Asking SQLite for each page read the whole list again (0.47-0.49 s a page for a lasso of
 * 100,000 faces at 1M, `npm run bench:scale`). The list is looked up in id order and put back in its
 * own order here: in list order each id landed on another page of samples and review_scores (a
 * one-off probe at 1M, 100,000 ids: 0.44-0.51 s against 0.30-0.41 s sorted, two rounds each).
 */
function listedIds(db: Db, datasetId: number, filter: SampleFilter, where: FilterClause): Int32Array {
  // A digest, not the filter itself, keys the kept list: a lasso's filter is up to 100,000 ids of text.
  const key = createHash('sha1').update(JSON.stringify(filter)).digest('hex')
  return untilWrite(db, `listed:${datasetId}:${key}`, () => {
    const place = new Map<number, number>()
    for (const id of filter.sampleIds ?? []) if (!place.has(id)) place.set(id, place.size)
    const byId = [...place.keys()].sort((a, b) => a - b)
    const ids = db
      .prepare(`SELECT s.id FROM ${where.from}${scoresJoin(where)} WHERE s.dataset_id = ? AND s.status = 'present'${where.sql}`)
      .pluck()
      .all(JSON.stringify(byId), datasetId, ...where.params) as number[]
    return Int32Array.from(ids.sort((a, b) => (place.get(a) as number) - (place.get(b) as number)))
  })
}

/** The grid rows of these samples, in this order. */
function rowsInOrder(db: Db, ids: number[]): Sample[] {
  const rows = db
    .prepare(`SELECT ${GRID_COLUMNS} FROM samples s WHERE s.id IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(ids)) as Sample[]
  const byId = new Map(rows.map((r) => [r.id, r]))
  return ids.map((id) => byId.get(id) as Sample)
}

/**
 * A page of the whole dataset (no filter) in path order, its ids read from samples' covering
 * (dataset_id, rel_path) index, with the few missing images left out by id. Joining each row to
 * samples to check that it is present instead made a page at offset 500,000 of 1M take 0.5 s;
 * this way 0.04-0.07 s (issue 19). A page past the middle is read from the far end of the index,
 * the order reversed, so OFFSET never walks more than half the rows.
 */
function pathPage(db: Db, datasetId: number, sort: SampleSort, offset: number, limit: number, total: number): number[] {
  const select = `SELECT s.id FROM samples s WHERE s.dataset_id = ? AND s.id NOT IN ${MISSING_IDS_SQL}`
  const page = (reverse: boolean, pageLimit: number, pageOffset: number): number[] =>
    db
      .prepare(`${select} ORDER BY s.rel_path ${reverse ? 'DESC' : 'ASC'} LIMIT ? OFFSET ?`)
      .pluck()
      .all(datasetId, datasetId, pageLimit, pageOffset) as number[]
  const reverse = !!sort.reverse
  if (offset + limit / 2 <= total / 2) return page(reverse, limit, offset)
  // Rows [offset, end) counted from the start are rows [total - end, total - offset) from the end.
  const end = Math.min(offset + limit, total)
  return page(!reverse, end - offset, total - end).reverse()
}

/** Adds what a grid row shows beside its label: the ranking's brief, review marks, duplicate group. */
function decorate(db: Db, datasetId: number, samples: Sample[]): void {
  if (samples.length === 0) return
  const ids = samples.map((s) => s.id)
  const briefs = hasRanking(db, datasetId) ? reviewBriefs(db, ids) : new Map()
  const marks = sampleMarks(db, ids)
  const duplicates = duplicateBriefs(db, datasetId, ids)
  for (const s of samples) {
    const brief = briefs.get(s.id)
    if (brief) s.review = brief
    const m = marks.get(s.id)
    if (m) s.marks = m
    const d = duplicates.get(s.id)
    if (d) s.duplicate = d
  }
}

/**
 * The grid rows of these samples of a dataset, as querySamples gives them (present ones only, in
 * id order): what a decision changed, for every window to patch its loaded pages with.
 */
export function samplesByIds(db: Db, datasetId: number, sampleIds: number[]): Sample[] {
  const samples = db
    .prepare(
      `SELECT ${GRID_COLUMNS} FROM samples s
        WHERE s.id IN (SELECT value FROM json_each(?)) AND s.dataset_id = ? AND s.status = 'present' ORDER BY s.id`
    )
    .all(JSON.stringify(sampleIds), datasetId) as Sample[]
  decorate(db, datasetId, samples)
  return samples
}

/**
 * Where a sample stands in the grid's view (filter and order as querySamples applies them), 0-based;
 * null when the view leaves it out. Undo and redo put the cursor on the sample they changed with it,
 * wherever in 35k rows that is and whatever pages the grid has loaded.
 */
export function samplePosition(
  db: Db,
  datasetId: number,
  filter: SampleFilter,
  sort: SampleSort,
  sampleId: number
): number | null {
  const where = filterClause(datasetId, filter)
  if (filter.sampleIds !== undefined) {
    const at = listedIds(db, datasetId, filter, where).indexOf(sampleId)
    return at < 0 ? null : at
  }
  if (byScore(filter, sort)) return scoreOrderedPosition(db, datasetId, filter, sort, sampleId)
  const position = db
    .prepare(
      `SELECT position FROM (SELECT s.id, row_number() OVER (ORDER BY ${orderClause(sort, filter)}) - 1 AS position
         FROM ${where.from}${scoresJoin(where)} WHERE s.dataset_id = ? AND s.status = 'present'${where.sql}) WHERE id = ?`
    )
    .pluck()
    .get(datasetId, ...where.params, sampleId) as number | undefined
  return position ?? null
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

/** Where a sample's label was read, for the detail panel and the review of votes. */
export function sampleSource(db: Db, sampleId: number): SampleSource | null {
  const row = db
    .prepare('SELECT label_file, line, token, excluded, extras FROM sample_sources WHERE sample_id = ?')
    .get(sampleId) as
    { label_file: string; line: number; token: string; excluded: string | null; extras: string | null } | undefined
  if (!row) return null
  return {
    labelFile: row.label_file,
    line: row.line,
    token: row.token,
    excluded: row.excluded,
    extras: parseExtras(row.extras) ?? {}
  }
}

type PixelRow = { pixels: Buffer | null; width: number | null; height: number | null } | undefined

function greyPixels(row: PixelRow): GreyPixels | null {
  if (!row?.pixels || !row.width || !row.height) return null
  return { width: row.width, height: row.height, data: new Uint8Array(row.pixels) }
}

/** The pixels of a sample that has no image file (FER2013 rows), or null for ordinary samples. */
export function samplePixels(db: Db, sampleId: number): GreyPixels | null {
  return greyPixels(db.prepare('SELECT pixels, width, height FROM sample_sources WHERE sample_id = ?').get(sampleId) as PixelRow)
}

/**
 * The same by content hash within one dataset, for an inference run, which addresses images by
 * hash: the statement is prepared once and the lookup called per image.
 */
export function pixelsByHash(db: Db, datasetId: number): (contentHash: string) => GreyPixels | null {
  const byHash = db.prepare(
    `SELECT ss.pixels, ss.width, ss.height FROM samples s JOIN sample_sources ss ON ss.sample_id = s.id
       WHERE s.dataset_id = ? AND s.content_hash = ? AND ss.pixels IS NOT NULL LIMIT 1`
  )
  return (contentHash) => greyPixels(byHash.get(datasetId, contentHash) as PixelRow)
}

/** The distinct content hashes of a dataset's present images (a cluster run's shards are cut from these). */
export function presentContentHashes(db: Db, datasetId: number, split: string | null = null): string[] {
  return db
    .prepare(
      `SELECT DISTINCT content_hash FROM samples WHERE dataset_id = ? AND status = 'present'${split === null ? '' : ' AND split = ?'}`
    )
    .pluck()
    .all(...(split === null ? [datasetId] : [datasetId, split])) as string[]
}
