import { createHash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, resolve } from 'node:path'
import { join } from 'node:path'
import type { AppContext } from '../api/context'
import type { InferenceJob } from '../inference/runner'
import { shardName, type ShardSpec } from '../cluster/shard'
import type { ShardHeader } from '../cluster/shardCheck'
import { openShardFile, writeShardFile } from '../cluster/shardFile'
import { datasetRoot } from '../store/datasets'
import { EXIT } from './args'

/**
 * `pokerface infer --shard K/N --out FILE`: one task of a cluster run (docs/cluster.md).
 *
 * A task never writes a shared data folder: array tasks on one shared file system would all want
 * its lock (store/dataFolderLock.ts) and SQLite's WAL does not work across NFS clients. Each task
 * gets a store of its own — by default in node-local $TMPDIR, named after FILE, so a task requeued
 * onto the same node resumes where it was killed, and one that lands on another node starts that
 * shard again from nothing (both give the same file). Only the finished result file goes to FILE.
 */
export function shardWorkDir(out: string): string {
  const key = createHash('sha256').update(resolve(out)).digest('hex').slice(0, 16)
  return join(tmpdir(), `pokerface-shard-${key}`)
}

/**
 * What to do about a result file already at FILE: a complete file of this very shard and model
 * means a requeued task whose work is done (nothing to do); anything else is not overwritten
 * without --force.
 */
export function existingShardOutput(
  out: string,
  shard: ShardSpec,
  modelId: string | undefined,
  force: boolean
): { done: string } | { error: string } | null {
  const opened = openShardFile(out)
  if ('problem' in opened) {
    if (opened.problem === 'does not exist' || force) return null
    return { error: `${out} exists and ${opened.problem}; pass --force to replace it` }
  }
  const { header, file } = opened
  file.close()
  const same = header.shard.index === shard.index && header.shard.count === shard.count
  if (same && (modelId === undefined || header.model.id === modelId))
    return { done: `${out} already holds shard ${shardName(shard)} (${header.images} images, ${header.model.id}): nothing to do` }
  if (force) return null
  return {
    error: `${out} already holds shard ${shardName(header.shard)} by ${header.model.id}, not ${shardName(shard)}${modelId ? ` by ${modelId}` : ''}; pass --force to replace it`
  }
}

/** Writes the finished shard's result file; returns the line to print, or the error and exit code. */
export async function packShard(
  ctx: AppContext,
  job: InferenceJob,
  out: string
): Promise<{ header: ShardHeader } | { error: string; code: number }> {
  const { datasetId, shard, generate, model } = job.options
  if (!shard) throw new Error('packShard: not a shard run')
  mkdirSync(dirname(resolve(out)), { recursive: true })
  try {
    const header = await writeShardFile(ctx.db, {
      out: resolve(out),
      datasetId,
      datasetRoot: datasetRoot(ctx.db, datasetId) ?? '',
      shard,
      model,
      generate: generate && model.generates,
      cacheDir: ctx.generatedDir,
      appVersion: ctx.version
    })
    return { header }
  } catch (err) {
    return { error: `cannot write the shard's result file ${out}: ${(err as Error).message}`, code: EXIT.runFailed }
  }
}
