import type { ModelManifest } from '@shared/models'
import { nowIso, type Db } from './db'
import type { ItemResult } from '../inference/postProcess'
import { inShard, type ShardSpec } from '../cluster/shard'
import { presentContentHashes } from './samples'
import { putEmbedding } from './embeddings'

export interface ModelRow {
  id: string
  name: string
  version: string
  folder: string
  classes: string[]
  source: 'builtin' | 'user'
}

export function upsertModel(db: Db, manifest: ModelManifest, folder: string, source: ModelRow['source']): void {
  db.prepare(
    `INSERT INTO models (id, name, version, folder, classes, source, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET name = excluded.name, version = excluded.version, folder = excluded.folder,
       classes = excluded.classes, source = excluded.source`
  ).run(manifest.id, manifest.name, manifest.version, folder, JSON.stringify(manifest.classes), source, nowIso())
}

export function userModels(db: Db): ModelRow[] {
  const rows = db
    .prepare(`SELECT id, name, version, folder, classes, source FROM models WHERE source = 'user' ORDER BY added_at`)
    .all() as (Omit<ModelRow, 'classes'> & { classes: string })[]
  return rows.map((r) => ({ ...r, classes: JSON.parse(r.classes) }))
}

export interface PendingImage {
  hash: string
  relPath: string
}

export interface PendingOptions {
  /** Poker faces wanted: a prediction stored without them is pending again. */
  needGenerated?: boolean
  /** Only this split (e.g. `pokerface eval` on test). */
  split?: string | null
  /** Only this cluster task's slice (cluster/shard.ts). */
  shard?: ShardSpec | null
  /** The model gives an embedding: a prediction stored without one is pending again. */
  needEmbedding?: boolean
}

/**
 * Distinct images of a dataset that still need this model: no stored prediction (or one without
 * generated images when they are wanted, or without an embedding when the model gives one), and no
 * recorded failure. Identical files in two places are computed once. Predictions stored before the
 * model had its embedding output are run again for it (issue 17), so a run after updating the model
 * is what fills the embeddings in.
 */
export function pendingImages(
  db: Db,
  datasetId: number,
  modelId: string,
  { needGenerated = false, split = null, shard = null, needEmbedding = false }: PendingOptions = {}
): { pending: PendingImage[]; total: number } {
  // An optional split narrows the run (e.g. `pokerface eval` on the test split only).
  const inSplit = split === null ? '' : ' AND split = @split'
  const params = { datasetId, modelId, needGenerated: needGenerated ? 1 : 0, needEmbedding: needEmbedding ? 1 : 0, split }
  const total = db
    .prepare(`SELECT count(DISTINCT content_hash) FROM samples WHERE dataset_id = @datasetId AND status = 'present'${inSplit}`)
    .pluck()
    .get(params) as number
  const pending = db
    .prepare(
      `SELECT s.content_hash AS hash, min(s.rel_path) AS relPath FROM samples s
       WHERE s.dataset_id = @datasetId AND s.status = 'present'${inSplit.replace('split', 's.split')}
         AND NOT EXISTS (SELECT 1 FROM predictions p WHERE p.content_hash = s.content_hash AND p.model_id = @modelId
                         AND (p.generated = 1 OR @needGenerated = 0)
                         AND (@needEmbedding = 0 OR EXISTS (SELECT 1 FROM embeddings e
                              WHERE e.content_hash = s.content_hash AND e.model_id = @modelId)))
         AND NOT EXISTS (SELECT 1 FROM inference_errors e WHERE e.content_hash = s.content_hash AND e.model_id = @modelId)
       GROUP BY s.content_hash ORDER BY min(s.rel_path)`
    )
    .all(params) as PendingImage[]
  if (!shard) return { pending, total }
  // A cluster task (cluster/shard.ts): its slice, chosen here rather than in SQL, by the one
  // function every task and the merge share.
  const hashes = presentContentHashes(db, datasetId, split)
  return {
    pending: pending.filter((p) => inShard(p.hash, shard)),
    total: hashes.filter((h) => inShard(h, shard)).length
  }
}

/** Stores one batch of results in one transaction: a crash keeps whole batches or nothing. */
export function storeResults(db: Db, modelId: string, classes: string[], results: ItemResult[]): void {
  const now = nowIso()
  const put = db.prepare(
    `INSERT OR REPLACE INTO predictions (content_hash, model_id, probabilities, predicted_label, confidence, attention, generated, created_at, emotion_intensity)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  const fail = db.prepare(
    `INSERT OR REPLACE INTO inference_errors (content_hash, model_id, reason, created_at) VALUES (?, ?, ?, ?)`
  )
  const clearFailure = db.prepare('DELETE FROM inference_errors WHERE content_hash = ? AND model_id = ?')
  db.transaction(() => {
    for (const r of results) {
      if (r.ok) {
        const probabilities = r.probabilities.map((p) => Math.round(p * 1e6) / 1e6)
        const intensity = r.intensity === null || r.intensity === undefined ? null : Math.round(r.intensity * 1e6) / 1e6
        put.run(
          r.hash,
          modelId,
          JSON.stringify(probabilities),
          classes[r.predicted],
          r.confidence,
          JSON.stringify(r.attention),
          r.generated ? 1 : 0,
          now,
          intensity
        )
        if (r.embedding) putEmbedding(db, r.hash, modelId, r.embedding)
        clearFailure.run(r.hash, modelId)
      } else fail.run(r.hash, modelId, r.reason, now)
    }
  })()
}

export interface StoredPrediction {
  modelId: string
  probabilities: number[]
  predictedLabel: string
  confidence: number
  /** g × g attention grid, row-major. */
  attention: number[]
  generated: boolean
  createdAt: string
}

export function predictionFor(db: Db, hash: string, modelId: string): StoredPrediction | null {
  const row = db
    .prepare(
      `SELECT model_id AS modelId, probabilities, predicted_label AS predictedLabel, confidence, attention, generated, created_at AS createdAt
       FROM predictions WHERE content_hash = ? AND model_id = ?`
    )
    .get(hash, modelId) as
    | (Omit<StoredPrediction, 'probabilities' | 'attention' | 'generated'> & {
        probabilities: string
        attention: string | null
        generated: number
      })
    | undefined
  if (!row) return null
  return {
    ...row,
    probabilities: JSON.parse(row.probabilities),
    attention: row.attention ? JSON.parse(row.attention) : [],
    generated: row.generated === 1
  }
}

export function inferenceError(db: Db, hash: string, modelId: string): string | null {
  return (
    (db
      .prepare('SELECT reason FROM inference_errors WHERE content_hash = ? AND model_id = ?')
      .pluck()
      .get(hash, modelId) as string) ?? null
  )
}

/** Per-sample failures of a dataset for a model, for the run summary. */
export function datasetInferenceErrors(db: Db, datasetId: number, modelId: string): { relPath: string; reason: string }[] {
  return db
    .prepare(
      `SELECT s.rel_path AS relPath, e.reason FROM inference_errors e
       JOIN samples s ON s.content_hash = e.content_hash AND s.dataset_id = ? AND s.status = 'present'
       WHERE e.model_id = ? ORDER BY s.rel_path`
    )
    .all(datasetId, modelId) as { relPath: string; reason: string }[]
}
