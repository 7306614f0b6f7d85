/**
 * Each image's classifier embedding per model (issue 17), keyed like predictions: by content hash
 * and model id, so a run resumes where it stopped, identical files share one vector, and another
 * model (a new id) has its own. Stored as float32 BLOBs: 768 bytes a face for the shipped model
 * (27 MB for FERPlus's 35,710 faces); float16 would halve that, but Node 20 has no Float16Array and
 * the neighbour search wants float32 anyway.
 */
import type { Db } from './db'

export function embeddingBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength)
}

/** A stored BLOB as float32 values, copied into `into` at `offset` (aligned reads: Buffers may not be). */
function readBlob(blob: Buffer, into: Float32Array, offset: number): void {
  new Uint8Array(into.buffer, into.byteOffset + offset * 4, blob.byteLength).set(blob)
}

/** Called inside storeResults' transaction: the embedding goes with its prediction or not at all. */
export function putEmbedding(db: Db, hash: string, modelId: string, vector: Float32Array): void {
  db.prepare('INSERT OR REPLACE INTO embeddings (content_hash, model_id, dim, vector) VALUES (?, ?, ?, ?)').run(
    hash,
    modelId,
    vector.length,
    embeddingBlob(vector)
  )
}

/** Present samples with a prediction by the model but no embedding by it. */
export function missingEmbeddings(db: Db, datasetId: number, modelId: string): number {
  return db
    .prepare(
      `SELECT count(*) FROM samples s JOIN predictions p ON p.content_hash = s.content_hash AND p.model_id = @modelId
        WHERE s.dataset_id = @datasetId AND s.status = 'present'
          AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.content_hash = s.content_hash AND e.model_id = @modelId)`
    )
    .pluck()
    .get({ datasetId, modelId }) as number
}

/** A dataset's embeddings for one model: sample ids and their vectors, row-major, in sample id order. */
export interface DatasetEmbeddings {
  sampleIds: Int32Array
  /** Content hashes, per row: identical files are neighbours of each other that say nothing. */
  hashes: string[]
  dim: number
  vectors: Float32Array
}

/**
 * Every present sample of the dataset that has an embedding by the model. `missing` counts the
 * present samples with a prediction by the model but no embedding: predictions from before the
 * model had the output, or by a model without it; a run with an embedding model fills them in.
 */
export function datasetEmbeddings(db: Db, datasetId: number, modelId: string): DatasetEmbeddings & { missing: number } {
  const rows = db
    .prepare(
      `SELECT s.id AS sampleId, s.content_hash AS hash, e.dim, e.vector FROM samples s
         JOIN embeddings e ON e.content_hash = s.content_hash AND e.model_id = ?
        WHERE s.dataset_id = ? AND s.status = 'present' ORDER BY s.id`
    )
    .all(modelId, datasetId) as { sampleId: number; hash: string; dim: number; vector: Buffer }[]
  const missing = missingEmbeddings(db, datasetId, modelId)
  const dim = rows[0]?.dim ?? 0
  // One model has one width; a row of another (a model folder replaced under the same id) is skipped.
  const kept = rows.filter((r) => r.dim === dim && r.vector.byteLength === dim * 4)
  const vectors = new Float32Array(kept.length * dim)
  kept.forEach((r, i) => readBlob(r.vector, vectors, i * dim))
  return {
    sampleIds: Int32Array.from(kept, (r) => r.sampleId),
    hashes: kept.map((r) => r.hash),
    dim,
    vectors,
    missing: missing + rows.length - kept.length
  }
}
