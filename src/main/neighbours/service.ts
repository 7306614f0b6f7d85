/**
 * Nearest neighbours over a dataset's stored embeddings (issue 17): the index for one dataset and
 * model (kept while its embeddings do not change), "more like this" for one sample, and the stored
 * neighbour lists the neighbour label score reads.
 */
import type { Db } from '../store/db'
import { datasetEmbeddings, embeddingCounts, type DatasetEmbeddings } from '../store/embeddings'
import { neighbourLists, saveNeighbourLists, saveNeighbourNorms, type StoredNeighbours } from '../store/neighbours'
import { rowNorms } from '../review/oddness'
import { allNeighbours } from './lists'
import { NeighbourIndex } from './search'

/** Neighbours per face behind the neighbour label score: enough for a share, few enough to stay local. */
export const SIGNAL_NEIGHBOURS = 10

export interface DatasetIndex {
  embeddings: DatasetEmbeddings & { missing: number }
  index: NeighbourIndex
  /** Row of each sample id. */
  rowOf: Map<number, number>
}

/** How many embeddings a dataset has for a model: what decides whether stored results are stale. */
export function embeddingCount(db: Db, datasetId: number, modelId: string): number {
  return embeddingCounts(db, datasetId, modelId).embeddings
}

/** The last index built, reused while the dataset's embeddings for that model are the same. */
let cached: { key: string; db: Db; value: DatasetIndex } | null = null

export function datasetIndex(db: Db, datasetId: number, modelId: string): DatasetIndex {
  const key = `${datasetId}\u0000${modelId}\u0000${embeddingCount(db, datasetId, modelId)}`
  if (cached && cached.db === db && cached.key === key) return cached.value
  const embeddings = datasetEmbeddings(db, datasetId, modelId)
  const index = new NeighbourIndex(embeddings.vectors, embeddings.dim)
  const rowOf = new Map<number, number>()
  embeddings.sampleIds.forEach((id, row) => rowOf.set(id, row))
  cached = { key, db, value: { embeddings, index, rowOf } }
  return cached.value
}

export interface Neighbour {
  sampleId: number
  similarity: number
}

/**
 * The k samples most like `sampleId` by embedding, most similar first, itself and identical files
 * left out; null when the sample has no embedding by this model.
 */
export async function moreLikeThis(
  db: Db,
  datasetId: number,
  modelId: string,
  sampleId: number,
  k: number
): Promise<Neighbour[] | null> {
  const { embeddings, index, rowOf } = datasetIndex(db, datasetId, modelId)
  const row = rowOf.get(sampleId)
  if (row === undefined) return null
  const hash = embeddings.hashes[row]
  const copies = embeddings.hashes.filter((h) => h === hash).length
  const hits = await index.search(index.row(row), k + copies)
  const out: Neighbour[] = []
  for (let h = 0; h < hits.k && out.length < k; h++) {
    const r = hits.rows[h]
    if (embeddings.hashes[r] === hash) continue
    out.push({ sampleId: embeddings.sampleIds[r], similarity: Math.round(hits.similarities[h] * 1e4) / 1e4 })
  }
  return out
}

/** Stored neighbour lists that still match the dataset's embeddings, or null. */
export function freshNeighbourLists(db: Db, datasetId: number, modelId: string): StoredNeighbours | null {
  const stored = neighbourLists(db, datasetId, modelId)
  return stored && stored.embeddings === embeddingCount(db, datasetId, modelId) ? stored : null
}

/**
 * Computes and stores every sample's nearest neighbours unless fresh ones are stored. Returns
 * whether anything was computed. Exact search over all pairs: about n²·D multiply-adds in
 * onnxruntime (35k faces: seconds to a minute on two cores, measured by bench:neighbours).
 */
export async function refreshNeighbourLists(db: Db, datasetId: number, modelId: string): Promise<boolean> {
  if (freshNeighbourLists(db, datasetId, modelId)) return false
  const { embeddings, index } = datasetIndex(db, datasetId, modelId)
  if (index.size === 0) return false
  const groups = new Map<string, number>()
  const group = Int32Array.from(embeddings.hashes, (h) => {
    if (!groups.has(h)) groups.set(h, groups.size)
    return groups.get(h) as number
  })
  const lists = await allNeighbours(index, group, SIGNAL_NEIGHBOURS)
  const neighbours = Int32Array.from(lists.rows, (r) => (r < 0 ? -1 : embeddings.sampleIds[r]))
  saveNeighbourLists(db, datasetId, modelId, {
    k: lists.k,
    sampleIds: embeddings.sampleIds,
    neighbours,
    similarities: lists.similarities,
    norms: rowNorms(embeddings.vectors, embeddings.dim),
    embeddings: embeddingCount(db, datasetId, modelId)
  })
  return true
}

/**
 * Fresh lists with each sample's embedding length (the odd-image score reads it). Lists stored
 * before the lengths were kept get them here, once: reading the embeddings costs a fraction of
 * finding the neighbours again (35k faces: well under a second).
 */
export function freshListsWithNorms(
  db: Db,
  datasetId: number,
  modelId: string
): (StoredNeighbours & { norms: Float32Array }) | null {
  const lists = freshNeighbourLists(db, datasetId, modelId)
  if (!lists) return null
  if (lists.norms) return { ...lists, norms: lists.norms }
  const embeddings = datasetEmbeddings(db, datasetId, modelId)
  const byId = new Map<number, number>()
  const lengths = rowNorms(embeddings.vectors, embeddings.dim)
  embeddings.sampleIds.forEach((id, row) => byId.set(id, lengths[row]))
  const norms = Float32Array.from(lists.sampleIds, (id) => byId.get(id) ?? 0)
  saveNeighbourNorms(db, datasetId, modelId, norms)
  return { ...lists, norms }
}
