/**
 * The checks `pokerface merge` makes on shard files before it writes anything, as plain functions
 * over plain data (the file's header and rows), so each refusal is tested without a file.
 */
import { inShard, MAX_SHARDS, shardName, type ShardSpec } from './shard'
import type { ModelFingerprint } from './modelFingerprint'

/** Written in every shard file; a file without it is not one. */
export const SHARD_FORMAT = 'pokerface-shard'
/**
 * Raised when the file's layout changes; a newer file is refused by an older app, and an older one
 * by a newer app, each with a reason. 2: the `embeddings` table (issue 17). A format-1 file has no
 * embeddings, so its predictions would look pending again to the next local run and have no
 * neighbours: refused, with how to make it again, rather than merged half.
 */
export const SHARD_FORMAT_VERSION = 2

/** What a shard file says about itself (its `shard_about` row). */
export interface ShardHeader {
  shard: ShardSpec
  model: ModelFingerprint
  /** Generation was on: predictions marked generated carry their poker-face sheet. */
  generate: boolean
  /** The dataset folder as the task saw it (informative: mounts differ between nodes). */
  datasetRoot: string
  /** Distinct images (content hashes) of its shard the task found: predictions + errors. */
  images: number
  appVersion: string
  host: string
  createdAt: string
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The header's JSON, checked field by field; a list of what is wrong otherwise. */
export function parseShardHeader(json: unknown): ShardHeader | { problems: string[] } {
  const problems: string[] = []
  if (!isObject(json)) return { problems: ['its header is not a JSON object'] }
  const shard = json.shard
  if (
    !isObject(shard) ||
    !Number.isInteger(shard.count) ||
    !Number.isInteger(shard.index) ||
    (shard.count as number) < 1 ||
    (shard.count as number) > MAX_SHARDS ||
    (shard.index as number) < 0 ||
    (shard.index as number) >= (shard.count as number)
  )
    problems.push(`its shard is not K/N with 0 ≤ K < N ≤ ${MAX_SHARDS}: ${JSON.stringify(shard)}`)
  const model = json.model
  if (
    !isObject(model) ||
    typeof model.id !== 'string' ||
    typeof model.version !== 'string' ||
    !Array.isArray(model.classes) ||
    !model.classes.every((c) => typeof c === 'string') ||
    !Array.isArray(model.graphs) ||
    !isObject(model.input)
  )
    problems.push('its model description is incomplete (id, version, classes, input, graphs)')
  if (typeof json.generate !== 'boolean') problems.push('it does not say whether poker faces were generated')
  if (!Number.isInteger(json.images) || (json.images as number) < 0) problems.push('its image count is missing')
  for (const key of ['datasetRoot', 'appVersion', 'host', 'createdAt'] as const)
    if (typeof json[key] !== 'string') problems.push(`its ${key} is missing`)
  return problems.length ? { problems } : (json as unknown as ShardHeader)
}

export interface NamedHeader {
  path: string
  header: ShardHeader
}

/**
 * Problems of the set of files merged together: they must be shards of one split (one N), made by
 * one model with generation on or off for all, and no shard may come twice. Shards left out are
 * not a problem (a merge may run as tasks finish, and again later): see missingShards.
 */
export function shardSetProblems(files: NamedHeader[]): string[] {
  const problems: string[] = []
  const [first, ...rest] = files
  if (!first) return ['no shard files given']
  for (const f of rest) {
    const { header: h } = f
    if (h.shard.count !== first.header.shard.count)
      problems.push(
        `${f.path} is shard ${shardName(h.shard)} but ${first.path} is shard ${shardName(first.header.shard)}: ` +
          'shards of different splits (N) cover overlapping images; merge the files of one run'
      )
    if (JSON.stringify(h.model) !== JSON.stringify(first.header.model))
      problems.push(`${f.path} was made by another model (or another build of it) than ${first.path}`)
    if (h.generate !== first.header.generate)
      problems.push(
        `${f.path} was run ${h.generate ? 'with' : 'without'} poker faces, ${first.path} the other way: run all shards alike`
      )
  }
  const byIndex = new Map<number, string>()
  for (const f of files) {
    const other = byIndex.get(f.header.shard.index)
    if (other) problems.push(`shard ${shardName(f.header.shard)} is given twice: ${other} and ${f.path}`)
    byIndex.set(f.header.shard.index, f.path)
  }
  return problems
}

/** The shards of the split that no file given covers, 0-based. */
export function missingShards(files: NamedHeader[]): number[] {
  const count = files[0]?.header.shard.count ?? 0
  const have = new Set(files.map((f) => f.header.shard.index))
  return [...Array(count).keys()].filter((i) => !have.has(i))
}

/** One stored prediction as a shard file holds it (the store's columns, minus the model id). */
export interface ShardPrediction {
  content_hash: string
  probabilities: string
  predicted_label: string
  confidence: number
  attention: string | null
  generated: number
  created_at: string
  emotion_intensity: number | null
}

const HASH = /^[0-9a-f]{64}$/

/** A prediction's embedding as a shard file holds it (the store's dim and float32 BLOB). */
export interface ShardEmbedding {
  dim: number
  vector: Buffer
}

/**
 * Why a prediction's embedding cannot be imported, or null. `width` is the model's embedding width
 * (its classify graph's `embedding` output), null for a model without one: then the row must have
 * none, and with one it must have exactly `width` finite float32 values, as a run stores them.
 */
export function embeddingProblem(hash: string, embedding: ShardEmbedding | undefined, width: number | null): string | null {
  const image = `image ${hash.slice(0, 12)}…`
  if (width === null)
    return embedding ? `${image}: has an embedding, but the model that made the file has no embedding output` : null
  if (!embedding) return `${image}: has no embedding, but the model gives one of width ${width}`
  if (embedding.dim !== width) return `${image}: its embedding has ${embedding.dim} values, not the model's ${width}`
  const bytes = width * 4
  if (!Buffer.isBuffer(embedding.vector))
    return `${image}: its embedding is not ${width} float32 values (a BLOB of ${bytes} bytes) but ${typeof embedding.vector}`
  if (embedding.vector.byteLength !== bytes)
    return `${image}: its embedding is ${embedding.vector.byteLength} bytes, not ${width} float32 values (${bytes} bytes)`
  const values = new Float32Array(width)
  new Uint8Array(values.buffer).set(embedding.vector)
  const bad = values.findIndex((v) => !Number.isFinite(v))
  if (bad >= 0) return `${image}: its embedding's value ${bad} is ${values[bad]}, not a finite number`
  return null
}

/** Why a row cannot be imported (a foreign or damaged file), or null. */
export function predictionProblem(row: ShardPrediction, header: ShardHeader, hasSheet: boolean): string | null {
  if (!HASH.test(row.content_hash)) return `${JSON.stringify(row.content_hash)} is not a content hash`
  if (!inShard(row.content_hash, header.shard))
    return `image ${row.content_hash.slice(0, 12)}… belongs to another shard than ${shardName(header.shard)}`
  let p: unknown
  try {
    p = JSON.parse(row.probabilities)
  } catch {
    return `image ${row.content_hash.slice(0, 12)}…: probabilities are not JSON`
  }
  const k = header.model.classes.length
  if (!Array.isArray(p) || p.length !== k || !p.every((x) => typeof x === 'number' && x >= 0 && x <= 1))
    return `image ${row.content_hash.slice(0, 12)}…: probabilities are not ${k} numbers between 0 and 1`
  if (!header.model.classes.includes(row.predicted_label))
    return `image ${row.content_hash.slice(0, 12)}…: predicted label "${row.predicted_label}" is not one of the model's classes`
  if (row.generated === 1 && !hasSheet)
    return `image ${row.content_hash.slice(0, 12)}…: marked generated, but its poker-face sheet is not in the file`
  if (row.generated === 1 && !header.generate)
    return `image ${row.content_hash.slice(0, 12)}…: marked generated in a shard run without poker faces`
  return null
}
