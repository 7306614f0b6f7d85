/**
 * `pokerface merge`'s work on the store: check every shard file against the store's model and
 * dataset (nothing is written unless all pass), then import their results. Importing is
 * idempotent: a result already stored is left as it is, so merging a file twice, or a file whose
 * images a local run already did, changes nothing and says so in the counts.
 */
import { existsSync } from 'node:fs'
import type { Db } from '../store/db'
import { writeFileAtomic } from '../files/atomicWrite'
import { generatedSheetPath } from '../media/sheetLayout'
import { inShard, shardName } from './shard'
import { fingerprintDifferences, fingerprintEmbeddingWidth, type ModelFingerprint } from './modelFingerprint'
import { embeddingProblem, predictionProblem, type ShardEmbedding, type ShardPrediction } from './shardCheck'
import type { OpenedShard } from './shardFile'

const PAGE = 500
const PNG_SIGNATURE = "x'89504E470D0A1A0A'"

/** Rows of a shard file's table in content-hash order, a page at a time (no cursor held open across awaits). */
function* pages<T extends { content_hash: string }>(file: OpenedShard['file'], sql: string): Generator<T[]> {
  const page = file.prepare(`${sql} WHERE content_hash > ? ORDER BY content_hash LIMIT ${PAGE}`)
  let after = ''
  for (;;) {
    const rows = page.all(after) as T[]
    if (rows.length === 0) return
    yield rows
    after = rows[rows.length - 1].content_hash
  }
}

const PREDICTION_COLUMNS =
  'SELECT content_hash, probabilities, predicted_label, confidence, attention, generated, created_at, emotion_intensity FROM predictions'

export interface ShardFileCheck {
  /** Results whose image is not in the dataset now: reported and not imported. */
  unknown: number
  problems: string[]
}

const modelProblem = (opened: OpenedShard, here: ModelFingerprint): string | null => {
  const differences = fingerprintDifferences(opened.header.model, here)
  return differences.length
    ? `${opened.path} was made by a model that is not the "${here.id}" known here: ${differences.join('; ')}`
    : null
}

/** The files made by another model (or another build of it) than the store's model of that id. */
export function checkModels(opened: OpenedShard[], here: ModelFingerprint): string[] {
  return opened.map((o) => modelProblem(o, here)).filter((p): p is string => p !== null)
}

/**
 * Everything wrong with one shard file for this store, or nothing: made by the model the store has
 * under that id (same contract, same graph bytes, same classes), rows that belong to its shard and
 * hold what a run stores, and at least one image of this dataset.
 */
export function checkShardFile(opened: OpenedShard, here: ModelFingerprint, datasetHashes: Set<string>): ShardFileCheck {
  const { header, file, path } = opened
  const otherModel = modelProblem(opened, here)
  if (otherModel) return { unknown: 0, problems: [otherModel] }
  const problems: string[] = []
  const badPngs = file.prepare(`SELECT count(*) FROM generated_sheets WHERE substr(png, 1, 8) != ${PNG_SIGNATURE}`).pluck().get()
  if (badPngs) problems.push(`${path}: ${badPngs} poker-face sheets are not PNG images`)
  const hasSheet = file.prepare('SELECT 1 FROM generated_sheets WHERE content_hash = ?').pluck()
  const embeddingOf = file.prepare('SELECT dim, vector FROM embeddings WHERE content_hash = ?')
  // The model here is the file's (checked above): its width is what the store's embeddings have.
  const width = fingerprintEmbeddingWidth(here)
  let unknown = 0
  for (const rows of pages<ShardPrediction>(file, PREDICTION_COLUMNS)) {
    for (const row of rows) {
      const problem =
        predictionProblem(row, header, !!hasSheet.get(row.content_hash)) ??
        embeddingProblem(row.content_hash, embeddingOf.get(row.content_hash) as ShardEmbedding | undefined, width)
      if (problem && problems.length < 5) problems.push(`${path}: ${problem}`)
      if (!problem && !datasetHashes.has(row.content_hash)) unknown++
    }
  }
  for (const rows of pages<{ content_hash: string }>(file, 'SELECT content_hash FROM inference_errors')) {
    for (const { content_hash: hash } of rows) {
      if (!/^[0-9a-f]{64}$/.test(hash) || !inShard(hash, header.shard)) {
        if (problems.length < 5)
          problems.push(`${path}: failed image ${JSON.stringify(hash)} does not belong to shard ${shardName(header.shard)}`)
      } else if (!datasetHashes.has(hash)) unknown++
    }
  }
  if (!problems.length && header.images > 0 && unknown === header.images)
    problems.push(
      `${path}: none of its ${header.images} images is in this dataset — a shard of another dataset? ` +
        `(it was run on ${header.datasetRoot})`
    )
  return { unknown, problems }
}

export interface ShardImport {
  path: string
  shard: string
  added: number
  /** Predictions stored before without poker faces, now with them. */
  upgraded: number
  /** Predictions stored before without an embedding (e.g. by a model build without the output), now with it. */
  embeddingsAdded: number
  failuresAdded: number
  alreadyStored: number
  /** Results for images no longer (or never) in the dataset: not imported. */
  unknown: number
  /** Images of the dataset in this shard with no result in the file (added to the folder after the task ran). */
  uncovered: number
}

/**
 * Imports one checked shard file: a page at a time, sheets into the cache first and then the
 * page's rows in one transaction, so a crash keeps whole pages and a second merge completes it.
 * A stored prediction is kept; it only gains what it lacks: its poker faces (the file's row
 * replaces it, sheets and all) or its embedding (added beside it).
 */
export async function importShardFile(
  db: Db,
  cacheDir: string,
  modelId: string,
  opened: OpenedShard,
  datasetHashes: Set<string>
): Promise<ShardImport> {
  const { file, header } = opened
  const result: ShardImport = {
    path: opened.path,
    shard: shardName(header.shard),
    added: 0,
    upgraded: 0,
    embeddingsAdded: 0,
    failuresAdded: 0,
    alreadyStored: 0,
    unknown: 0,
    uncovered: 0
  }
  const stored = db.prepare('SELECT generated FROM predictions WHERE content_hash = ? AND model_id = ?').pluck()
  const storedFailure = db.prepare('SELECT 1 FROM inference_errors WHERE content_hash = ? AND model_id = ?').pluck()
  const put = db.prepare(
    `INSERT OR REPLACE INTO predictions (content_hash, model_id, probabilities, predicted_label, confidence, attention, generated, created_at, emotion_intensity)
     VALUES (@content_hash, @model_id, @probabilities, @predicted_label, @confidence, @attention, @generated, @created_at, @emotion_intensity)`
  )
  const clearFailure = db.prepare('DELETE FROM inference_errors WHERE content_hash = ? AND model_id = ?')
  const putFailure = db.prepare('INSERT INTO inference_errors (content_hash, model_id, reason, created_at) VALUES (?, ?, ?, ?)')
  const sheetOf = file.prepare('SELECT png FROM generated_sheets WHERE content_hash = ?').pluck()
  const embeddingOf = file.prepare('SELECT dim, vector FROM embeddings WHERE content_hash = ?')
  const storedEmbedding = db.prepare('SELECT 1 FROM embeddings WHERE content_hash = ? AND model_id = ?').pluck()
  const putEmbedding = db.prepare('INSERT INTO embeddings (content_hash, model_id, dim, vector) VALUES (?, ?, ?, ?)')
  let known = 0

  for (const rows of pages<ShardPrediction>(file, PREDICTION_COLUMNS)) {
    const take: ShardPrediction[] = []
    /** Embeddings the store lacks: of new predictions, and of stored ones made without one. */
    const embeddings: [string, ShardEmbedding][] = []
    for (const row of rows) {
      if (!datasetHashes.has(row.content_hash)) {
        result.unknown++
        continue
      }
      known++
      const have = stored.get(row.content_hash, modelId) as number | undefined
      const embedding = embeddingOf.get(row.content_hash) as ShardEmbedding | undefined
      const needsEmbedding = embedding !== undefined && !storedEmbedding.get(row.content_hash, modelId)
      if (needsEmbedding) embeddings.push([row.content_hash, embedding])
      if (have === undefined || (have === 0 && row.generated === 1)) take.push(row)
      else if (needsEmbedding) result.embeddingsAdded++
      else result.alreadyStored++
    }
    for (const row of take) {
      if (row.generated !== 1) continue
      const path = generatedSheetPath(cacheDir, modelId, row.content_hash)
      // Content-addressed: a sheet already there is this image's, by this model.
      if (!existsSync(path)) await writeFileAtomic(path, sheetOf.get(row.content_hash) as Buffer, { keepBackup: false })
    }
    db.transaction(() => {
      for (const row of take) {
        if (stored.get(row.content_hash, modelId) === undefined) result.added++
        else result.upgraded++
        put.run({ ...row, model_id: modelId })
        clearFailure.run(row.content_hash, modelId)
      }
      // With its prediction, in one transaction, as storeResults does: never one without the other.
      for (const [hash, e] of embeddings) putEmbedding.run(hash, modelId, e.dim, e.vector)
    })()
  }
  for (const rows of pages<{ content_hash: string; reason: string; created_at: string }>(
    file,
    'SELECT content_hash, reason, created_at FROM inference_errors'
  )) {
    db.transaction(() => {
      for (const row of rows) {
        if (!datasetHashes.has(row.content_hash)) {
          result.unknown++
          continue
        }
        known++
        // A failure never replaces a result, nor a failure already recorded.
        if (stored.get(row.content_hash, modelId) !== undefined || storedFailure.get(row.content_hash, modelId)) {
          result.alreadyStored++
          continue
        }
        putFailure.run(row.content_hash, modelId, row.reason, row.created_at)
        result.failuresAdded++
      }
    })()
  }
  let inShardHere = 0
  for (const h of datasetHashes) if (inShard(h, header.shard)) inShardHere++
  result.uncovered = inShardHere - known
  return result
}
