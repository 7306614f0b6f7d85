/**
 * A shard's result file: one SQLite file that holds everything a cluster task computed, so it can
 * be copied anywhere and merged into any store of the same dataset (docs/cluster.md).
 *
 *   shard_about        one row: format name and version, and the header (shardCheck.ts) as JSON
 *   predictions        the store's prediction rows for the shard's images (model id in the header)
 *   inference_errors   images the model could not read, with the reason
 *   generated_sheets   the poker-face sheet PNG of each generated prediction (media/sheetLayout.ts),
 *                      so the compare view works after a merge as after a local run
 *   embeddings         each prediction's embedding (store/embeddings.ts) when the model gives one
 *                      (format 2): without it a merged image is pending again to a local run and
 *                      has no neighbours
 *
 * It is written under a temporary name and renamed into place only when complete, so a file at the
 * final name is always whole: a task killed while writing leaves a temporary (removed by the next
 * write there) and no result. SQLite is the container because it is what the app already reads,
 * writes by pages (no file held in memory) and detects damage (`PRAGMA quick_check`).
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync } from 'node:fs'
import { hostname } from 'node:os'
import Database from 'better-sqlite3'
import type { Db } from '../store/db'
import { presentContentHashes } from '../store/samples'
import { generatedSheetPath } from '../media/sheetLayout'
import { tempNameFor } from '../files/writeNames'
import { inShard, type ShardSpec } from './shard'
import { fingerprintEmbeddingWidth, modelFingerprint } from './modelFingerprint'
import { parseShardHeader, SHARD_FORMAT, SHARD_FORMAT_VERSION, type ShardHeader, type ShardPrediction } from './shardCheck'

const SCHEMA = `
  CREATE TABLE shard_about (format TEXT NOT NULL, format_version INTEGER NOT NULL, header TEXT NOT NULL);
  CREATE TABLE predictions (
    content_hash TEXT PRIMARY KEY, probabilities TEXT NOT NULL, predicted_label TEXT NOT NULL,
    confidence REAL NOT NULL, attention TEXT, generated INTEGER NOT NULL, created_at TEXT NOT NULL,
    emotion_intensity REAL
  );
  CREATE TABLE inference_errors (content_hash TEXT PRIMARY KEY, reason TEXT NOT NULL, created_at TEXT NOT NULL);
  CREATE TABLE generated_sheets (content_hash TEXT PRIMARY KEY, png BLOB NOT NULL);
  CREATE TABLE embeddings (content_hash TEXT PRIMARY KEY, dim INTEGER NOT NULL, vector BLOB NOT NULL);
`

/** The first 16 bytes of every SQLite database file. */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1')

export class ShardIncompleteError extends Error {}

export interface ShardWriteRequest {
  out: string
  datasetId: number
  datasetRoot: string
  shard: ShardSpec
  model: { id: string; folder: string }
  /** Generation was on for this run (and the model generates). */
  generate: boolean
  cacheDir: string
  appVersion: string
}

/** Rows per transaction while writing: bounded memory, few commits. */
const BATCH = 500

/**
 * Packs the shard's results from the task's private store into `out`. Every image of the shard
 * must have a result (a prediction or a recorded failure); otherwise nothing is written and
 * ShardIncompleteError says how many lack one.
 */
export async function writeShardFile(db: Db, req: ShardWriteRequest): Promise<ShardHeader> {
  const hashes = presentContentHashes(db, req.datasetId)
    .filter((h) => inShard(h, req.shard))
    .sort()
  const getPrediction = db.prepare(
    `SELECT content_hash, probabilities, predicted_label, confidence, attention, generated, created_at, emotion_intensity
       FROM predictions WHERE content_hash = ? AND model_id = ?`
  )
  const getError = db.prepare(
    'SELECT content_hash, reason, created_at FROM inference_errors WHERE content_hash = ? AND model_id = ?'
  )
  const getEmbedding = db.prepare('SELECT dim, vector FROM embeddings WHERE content_hash = ? AND model_id = ?')
  const missing = hashes.filter((h) => !getPrediction.get(h, req.model.id) && !getError.get(h, req.model.id)).length
  if (missing) throw new ShardIncompleteError(`${missing} of the shard's ${hashes.length} images have no result yet`)

  const header: ShardHeader = {
    shard: req.shard,
    model: await modelFingerprint(req.model.folder),
    generate: req.generate,
    datasetRoot: req.datasetRoot,
    images: hashes.length,
    appVersion: req.appVersion,
    host: hostname(),
    createdAt: new Date().toISOString()
  }
  const width = fingerprintEmbeddingWidth(header.model)
  const tmp = tempNameFor(req.out, process.pid, Math.random().toString(36).slice(2))
  const file = new Database(tmp)
  try {
    file.exec(SCHEMA)
    file
      .prepare('INSERT INTO shard_about (format, format_version, header) VALUES (?, ?, ?)')
      .run(SHARD_FORMAT, SHARD_FORMAT_VERSION, JSON.stringify(header))
    const putPrediction = file.prepare(
      `INSERT INTO predictions VALUES (@content_hash, @probabilities, @predicted_label, @confidence, @attention, @generated, @created_at, @emotion_intensity)`
    )
    const putError = file.prepare('INSERT INTO inference_errors VALUES (@content_hash, @reason, @created_at)')
    const putSheet = file.prepare('INSERT INTO generated_sheets VALUES (?, ?)')
    const putEmbedding = file.prepare('INSERT INTO embeddings VALUES (?, ?, ?)')
    const writeBatch = file.transaction((batch: string[]) => {
      for (const hash of batch) {
        const p = getPrediction.get(hash, req.model.id) as ShardPrediction | undefined
        if (!p) {
          // A recorded failure, and no prediction: a later success clears the failure (storeResults).
          putError.run(getError.get(hash, req.model.id))
          continue
        }
        // A prediction stored without generation (e.g. an earlier --no-generate run in this store)
        // goes as it is: merge then stores it so, and a later run fills the sheet in.
        const generated = p.generated === 1 && req.generate
        putPrediction.run({ ...p, generated: generated ? 1 : 0 })
        if (generated) {
          const sheet = generatedSheetPath(req.cacheDir, req.model.id, hash)
          if (!existsSync(sheet)) throw new ShardIncompleteError(`the poker-face sheet of ${hash} is missing from ${sheet}`)
          putSheet.run(hash, readFileSync(sheet))
        }
        if (width === null) continue
        // A finished run stores every prediction's embedding (a prediction without one is pending:
        // store/predictions.ts), so one missing here means the run did not finish.
        const e = getEmbedding.get(hash, req.model.id) as { dim: number; vector: Buffer } | undefined
        if (!e || e.dim !== width) throw new ShardIncompleteError(`the embedding of ${hash} is missing from the task's store`)
        putEmbedding.run(hash, e.dim, e.vector)
      }
    })
    for (let i = 0; i < hashes.length; i += BATCH) writeBatch(hashes.slice(i, i + BATCH))
    file.close()
    renameSync(tmp, req.out)
  } catch (err) {
    if (file.open) file.close()
    rmSync(tmp, { force: true })
    throw err
  }
  return header
}

export interface OpenedShard {
  path: string
  header: ShardHeader
  file: Database.Database
  counts: { predictions: number; errors: number; sheets: number; embeddings: number }
}

/**
 * Opens a shard file read-only and checks that it is one, whole: the format, the header, the
 * database's own integrity, and that its rows add up to the images its header counts. Returns
 * what is wrong in words for anything else (missing, empty, truncated, foreign, newer).
 */
export function openShardFile(path: string): OpenedShard | { path: string; problem: string } {
  const fail = (problem: string) => ({ path, problem })
  let size: number
  try {
    const s = statSync(path)
    if (!s.isFile()) return fail('is not a file')
    size = s.size
  } catch (err) {
    return fail(
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`
    )
  }
  if (size === 0) return fail('is empty (0 bytes)')
  const head = Buffer.alloc(16)
  const fd = openSync(path, 'r')
  try {
    readSync(fd, head, 0, 16, 0)
  } finally {
    closeSync(fd)
  }
  if (!head.equals(SQLITE_MAGIC)) return fail('is not a PokerFace shard file (not even a SQLite database)')
  let file: Database.Database
  try {
    file = new Database(path, { readonly: true, fileMustExist: true })
  } catch (err) {
    return fail(`cannot be opened (${(err as Error).message})`)
  }
  const close = (problem: string) => {
    file.close()
    return fail(problem)
  }
  try {
    const integrity = file.prepare('PRAGMA quick_check').pluck().all() as string[]
    if (integrity[0] !== 'ok')
      return close(`is damaged (truncated or overwritten): SQLite's check says ${integrity.slice(0, 3).join('; ')}`)
    const hasAbout = file.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'shard_about'`).get()
    if (!hasAbout) return close('is not a PokerFace shard file (a SQLite file without its shard_about table)')
    const about = file.prepare('SELECT format, format_version AS version, header FROM shard_about').all() as {
      format: string
      version: number
      header: string
    }[]
    if (about.length !== 1 || about[0].format !== SHARD_FORMAT) return close('is not a PokerFace shard file')
    if (about[0].version > SHARD_FORMAT_VERSION)
      return close(
        `was written by a newer PokerFace Studio (shard format ${about[0].version}; this one reads ${SHARD_FORMAT_VERSION})`
      )
    if (about[0].version < SHARD_FORMAT_VERSION)
      return close(
        `was written by an older PokerFace Studio (shard format ${about[0].version}, without each image's embedding; ` +
          `this one reads ${SHARD_FORMAT_VERSION}): run that shard again with this version, adding --force ` +
          '(merged without embeddings, its images would be pending again to a local run and have no neighbours)'
      )
    let json: unknown
    try {
      json = JSON.parse(about[0].header)
    } catch {
      return close('has a header that is not JSON')
    }
    const header = parseShardHeader(json)
    if ('problems' in header) return close(`has a broken header: ${header.problems.join('; ')}`)
    const count = (sql: string) => file.prepare(sql).pluck().get() as number
    const counts = {
      predictions: count('SELECT count(*) FROM predictions'),
      errors: count('SELECT count(*) FROM inference_errors'),
      sheets: count('SELECT count(*) FROM generated_sheets'),
      embeddings: count('SELECT count(*) FROM embeddings')
    }
    const both = count('SELECT count(*) FROM predictions p JOIN inference_errors e USING (content_hash)')
    if (both) return close(`lists ${both} images both as predicted and as failed`)
    // An embedding goes with its prediction (as in the store): one without is not from a run.
    const orphans = count(
      'SELECT count(*) FROM embeddings e LEFT JOIN predictions p USING (content_hash) WHERE p.content_hash IS NULL'
    )
    if (orphans) return close(`holds ${orphans} embeddings of images it has no prediction for`)
    if (counts.predictions + counts.errors !== header.images)
      return close(`holds ${counts.predictions + counts.errors} results but its header counts ${header.images} images`)
    return { path, header, file, counts }
  } catch (err) {
    // A file SQLite can open but not query: a foreign schema, or damage quick_check did not reach.
    return close(`is damaged (truncated?) or not a shard file: ${(err as Error).message}`)
  }
}
