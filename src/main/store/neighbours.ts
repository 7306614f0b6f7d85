/**
 * What is computed from a dataset's embeddings for one model (issue 17), stored so it is computed
 * once: each sample's nearest neighbours (the neighbour label score reads them at every ranking)
 * and the 2-D map. Each row records how many embeddings it was made from: when a run adds or
 * replaces some, the count differs and the row is stale (computed again), and a model with another
 * id never sees another's rows.
 */
import type { FaceColourFacts } from '@shared/mapColours'
import { nowIso, type Db } from './db'

const blob = (a: Int32Array | Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength)
/** Copies a BLOB into an aligned typed array (a Buffer's offset in its pool may not be). */
function int32s(b: Buffer): Int32Array {
  const out = new Int32Array(b.byteLength / 4)
  new Uint8Array(out.buffer).set(b)
  return out
}
function float32s(b: Buffer): Float32Array {
  const out = new Float32Array(b.byteLength / 4)
  new Uint8Array(out.buffer).set(b)
  return out
}

export interface StoredNeighbours {
  k: number
  sampleIds: Int32Array
  /** k sample ids per sample in sampleIds order, nearest first; -1 none. */
  neighbours: Int32Array
  similarities: Float32Array
  /** Each sample's embedding length (L2 norm), in sampleIds order; null in lists stored before it was kept. */
  norms: Float32Array | null
  embeddings: number
}

export function saveNeighbourLists(db: Db, datasetId: number, modelId: string, lists: StoredNeighbours): void {
  db.prepare(
    `INSERT OR REPLACE INTO neighbour_lists (dataset_id, model_id, k, sample_ids, neighbours, similarities, norms, embeddings, computed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
  ).run(
    datasetId,
    modelId,
    lists.k,
    blob(lists.sampleIds),
    blob(lists.neighbours),
    blob(lists.similarities),
    lists.norms ? blob(lists.norms) : null,
    lists.embeddings,
    nowIso()
  )
}

/** Adds the embedding lengths to lists stored before they were kept. */
export function saveNeighbourNorms(db: Db, datasetId: number, modelId: string, norms: Float32Array): void {
  db.prepare('UPDATE neighbour_lists SET norms = ? WHERE dataset_id = ? AND model_id = ?').run(blob(norms), datasetId, modelId)
}

export function neighbourLists(db: Db, datasetId: number, modelId: string): StoredNeighbours | null {
  const row = db
    .prepare(
      'SELECT k, sample_ids, neighbours, similarities, norms, embeddings FROM neighbour_lists WHERE dataset_id = ? AND model_id = ?'
    )
    .get(datasetId, modelId) as
    | { k: number; sample_ids: Buffer; neighbours: Buffer; similarities: Buffer; norms: Buffer | null; embeddings: number }
    | undefined
  if (!row) return null
  return {
    k: row.k,
    sampleIds: int32s(row.sample_ids),
    neighbours: int32s(row.neighbours),
    similarities: float32s(row.similarities),
    norms: row.norms ? float32s(row.norms) : null,
    embeddings: row.embeddings
  }
}

export type MapMethod = 'pca' | 'umap'

export interface StoredMap {
  method: MapMethod
  sampleIds: Int32Array
  /** x, y per sample, in sampleIds order. */
  coords: Float32Array
  embeddings: number
  computedAt: string
}

export function saveEmbeddingMap(db: Db, datasetId: number, modelId: string, map: Omit<StoredMap, 'computedAt'>): void {
  db.prepare(
    `INSERT OR REPLACE INTO embedding_maps (dataset_id, model_id, method, sample_ids, coords, embeddings, computed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`
  ).run(datasetId, modelId, map.method, blob(map.sampleIds), blob(map.coords), map.embeddings, nowIso())
}

/** How many embeddings the stored map of this method was made from (null: none stored), without reading its arrays. */
export function storedMapEmbeddings(db: Db, datasetId: number, modelId: string, method: MapMethod): number | null {
  return (
    (db
      .prepare('SELECT embeddings FROM embedding_maps WHERE dataset_id = ? AND model_id = ? AND method = ?')
      .pluck()
      .get(datasetId, modelId, method) as number | undefined) ?? null
  )
}

export function embeddingMap(db: Db, datasetId: number, modelId: string, method: MapMethod): StoredMap | null {
  const row = db
    .prepare(
      'SELECT sample_ids, coords, embeddings, computed_at FROM embedding_maps WHERE dataset_id = ? AND model_id = ? AND method = ?'
    )
    .get(datasetId, modelId, method) as
    { sample_ids: Buffer; coords: Buffer; embeddings: number; computed_at: string } | undefined
  if (!row) return null
  return {
    method,
    sampleIds: int32s(row.sample_ids),
    coords: float32s(row.coords),
    embeddings: row.embeddings,
    computedAt: row.computed_at
  }
}

/**
 * What colours each face of the map (in the order of `sampleIds`; undefined: no longer in the
 * dataset) — current label, ranked prediction and score, split — and every label and prediction
 * name the dataset has. Read row by row in id order beside the map's ids (the map is in id order):
 * a map of the dataset's 1M rows as objects took 6.3 s and 0.5 GB a request (a one-off probe on
 * bench:scale's 1M store).
 * The table is read through in id order (the unary + keeps the (dataset_id, rel_path) index out):
 * through that index SQLite sorted 1M ids again, 4.1-4.3 s against 1.3 s (a one-off probe at 1M).
 */
export function mapColourFacts(
  db: Db,
  datasetId: number,
  sampleIds: Int32Array
): { faces: (FaceColourFacts | undefined)[]; names: Set<string> } {
  const rows = db
    .prepare(
      `SELECT s.id, s.current_label, r.predicted_label, r.score, s.split
         FROM samples s LEFT JOIN review_scores r ON r.sample_id = s.id WHERE +s.dataset_id = ? ORDER BY s.id`
    )
    .raw()
    .iterate(datasetId) as IterableIterator<[number, string | null, string | null, number | null, string | null]>
  const faces: (FaceColourFacts | undefined)[] = new Array(sampleIds.length).fill(undefined)
  const names = new Set<string>()
  const ascending = sampleIds.every((id, i) => i === 0 || id > sampleIds[i - 1])
  const at = ascending ? null : new Map(Array.from(sampleIds, (id, i) => [id, i]))
  let next = 0
  for (const [id, label, prediction, issueScore, split] of rows) {
    if (label !== null) names.add(label)
    if (prediction !== null) names.add(prediction)
    let i: number | undefined
    if (at) i = at.get(id)
    else {
      while (next < sampleIds.length && sampleIds[next] < id) next++
      if (sampleIds[next] === id) i = next
    }
    if (i !== undefined) faces[i] = { label, prediction, issueScore, split }
  }
  return { faces, names }
}
