/**
 * Which shard of a cluster run an image belongs to (docs/cluster.md). Membership is a pure
 * function of the image's content hash and the number of shards, so every task of a Slurm array
 * or a Kubernetes indexed Job computes the same split on its own, with no coordinator and no list
 * handed around; identical files share a hash, so they fall in one shard and are computed once,
 * as in a local run. It does not depend on paths, file order or which files a node happens to
 * see, so a requeued task on another node takes exactly the same images.
 *
 *   shard(hash, N) = (first 12 hex digits of the SHA-256 content hash, as a number) mod N
 *
 * SHA-256 is uniform, so 48 bits give shards that differ in size only by chance (about √(n/N)
 * images) and mod N adds no measurable bias for N ≤ MAX_SHARDS (2^48 / N remainders each).
 */

export interface ShardSpec {
  /** 0-based, as SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX count. */
  index: number
  count: number
}

/** More shards than this is a typing mistake, not a cluster: each shard reads the whole folder. */
export const MAX_SHARDS = 10_000

const HASH_HEAD = /^[0-9a-f]{12}/

/** The shard (0 … count−1) of a content hash (lower-case hex SHA-256, as the scanner stores it). */
export function shardOfHash(hash: string, count: number): number {
  if (!HASH_HEAD.test(hash)) throw new Error(`not a content hash: ${JSON.stringify(hash)}`)
  return parseInt(hash.slice(0, 12), 16) % count
}

export function inShard(hash: string, shard: ShardSpec): boolean {
  return shardOfHash(hash, shard.count) === shard.index
}

/** "K/N" as typed after --shard, or why it is not one. */
export function parseShardSpec(text: string): ShardSpec | { error: string } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim())
  const usage = `--shard takes K/N: this task's shard K (0 … N−1) of N, e.g. --shard $SLURM_ARRAY_TASK_ID/4 (not "${text}")`
  if (!m) return { error: usage }
  const index = Number(m[1])
  const count = Number(m[2])
  if (count < 1 || count > MAX_SHARDS) return { error: `--shard K/N: N must be between 1 and ${MAX_SHARDS} (not ${count})` }
  if (index >= count) return { error: `--shard ${index}/${count}: K counts from 0, so it must be between 0 and ${count - 1}` }
  return { index, count }
}

export const shardName = (s: ShardSpec): string => `${s.index}/${s.count}`
