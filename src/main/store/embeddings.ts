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

/** A dataset's present samples with an embedding by a model, and those with a prediction by it but none. */
export interface EmbeddingCounts {
  embeddings: number
  missing: number
}

/**
 * The dataset's EmbeddingCounts for the model, kept in embedding_coverage until its triggers forget
 * them (a sample of the dataset, or an embedding or prediction of the model, added, removed or
 * changed: migrations.ts). Counting joins the dataset's samples to the model's embeddings and
 * predictions (seconds at 1M, below), and every map, "more like this" and ranking asks.
 */
export function embeddingCounts(db: Db, datasetId: number, modelId: string): EmbeddingCounts {
  const read = db.prepare('SELECT embeddings, missing FROM embedding_coverage WHERE dataset_id = ? AND model_id = ?')
  const kept = read.get(datasetId, modelId) as EmbeddingCounts | undefined
  if (kept) return kept
  const count = (sql: string): number => db.prepare(sql).pluck().get({ datasetId, modelId }) as number
  // The model's rows drive, read in content-hash order (the unary + keeps predictions_by_model out),
  // each looked up in samples_by_hash, which holds all the rest: the lookups then walk that index in
  // order. Driven by the samples, each lookup landed on another page (12 s each at 1M in a one-off
  // probe, against 1.0 and 1.3 s this way in sqlite3). Identical files are separate samples, each
  // counted.
  const counted = (): EmbeddingCounts => ({
    embeddings: count(
      `SELECT count(*) FROM embeddings e CROSS JOIN samples s ON s.content_hash = e.content_hash
        WHERE +e.model_id = @modelId AND s.dataset_id = @datasetId AND s.status = 'present'`
    ),
    missing: count(
      `SELECT count(*) FROM predictions p CROSS JOIN samples s ON s.content_hash = p.content_hash
        WHERE +p.model_id = @modelId AND s.dataset_id = @datasetId AND s.status = 'present'
          AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.content_hash = p.content_hash AND e.model_id = @modelId)`
    )
  })
  if (db.inTransaction) return counted()
  // Counted and kept in one transaction, so what is kept is what one snapshot held. Keeping fails if
  // another connection wrote meanwhile (SQLITE_BUSY_SNAPSHOT) or is writing now: the counts of the
  // snapshot are answered then, and not kept.
  const snapshot: { counts?: EmbeddingCounts } = {}
  try {
    db.transaction(() => {
      const { embeddings, missing } = (snapshot.counts = counted())
      db.prepare('INSERT OR REPLACE INTO embedding_coverage VALUES (?, ?, ?, ?)').run(datasetId, modelId, embeddings, missing)
    })()
  } catch (err) {
    if (!snapshot.counts || !String((err as { code?: string }).code).startsWith('SQLITE_BUSY')) throw err
  }
  return snapshot.counts as EmbeddingCounts // set: the transaction ran, or its error was not rethrown
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
  // The model's embeddings drive, in content-hash order, each matched to its samples in
  // samples_by_hash alone (as embeddingCounts does), and the rows are put in id order here: driven
  // by the samples, each lookup of an 800-byte row landed on another page (reading bench:scale's 1M
  // store row by row in a one-off probe: 16.9 s that way, 3.2-7.0 s this way).
  // Read row by row into one array, not as 1M row objects and buffers (those took a one-off probe
  // to 2.6 GB on bench:scale's 1M store). Room for every present sample; the rest is left unused.
  const room = db
    .prepare(`SELECT count(*) FROM samples WHERE dataset_id = ? AND status = 'present'`)
    .pluck()
    .get(datasetId) as number
  const rows = db
    .prepare(
      `SELECT s.id, s.content_hash, e.dim, e.vector FROM embeddings e CROSS JOIN samples s ON s.content_hash = e.content_hash
        WHERE +e.model_id = ? AND s.dataset_id = ? AND s.status = 'present'`
    )
    .raw()
    .iterate(modelId, datasetId) as IterableIterator<[number, string, number, Buffer]>
  const ids = new Int32Array(room)
  const read: string[] = []
  let dim = 0
  let vectors = new Float32Array(0)
  let skipped = 0
  for (const [sampleId, hash, width, vector] of rows) {
    if (dim === 0) {
      dim = width
      vectors = new Float32Array(room * dim)
    }
    // One model has one width; a row of another (a model folder replaced under the same id) is skipped.
    if (width !== dim || vector.byteLength !== dim * 4) {
      skipped++
      continue
    }
    readBlob(vector, vectors, read.length * dim)
    ids[read.length] = sampleId
    read.push(hash)
  }
  const n = read.length
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => ids[a] - ids[b])
  gatherRows(vectors, dim, order)
  return {
    sampleIds: Int32Array.from(order, (i) => ids[i]),
    hashes: Array.from(order, (i) => read[i]),
    dim,
    vectors: vectors.subarray(0, n * dim),
    missing: embeddingCounts(db, datasetId, modelId).missing + skipped
  }
}

/** Rows of `dim` values rearranged in place so that row k becomes what row order[k] was. */
export function gatherRows(rows: Float32Array, dim: number, order: Uint32Array): void {
  const done = new Uint8Array(order.length)
  const first = new Float32Array(dim)
  for (let start = 0; start < order.length; start++) {
    if (done[start]) continue
    // Follow the cycle through `start`: each row is written once, from a row not yet overwritten.
    first.set(rows.subarray(start * dim, (start + 1) * dim))
    for (let k = start; ;) {
      done[k] = 1
      const from = order[k]
      if (from === start) {
        rows.set(first, k * dim)
        break
      }
      rows.copyWithin(k * dim, from * dim, (from + 1) * dim)
      k = from
    }
  }
}
