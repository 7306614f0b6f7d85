import type { ApiHandlers } from '@shared/api'
import type { AppContext } from '../api/context'
import { rankDataset } from '../api/ranking'
import { updateNeighbourLists } from '../api/neighbours'
import { listModels } from '../inference/registry'
import { modelFingerprint } from '../cluster/modelFingerprint'
import { checkModels, checkShardFile, importShardFile, type ShardImport } from '../cluster/mergeShards'
import { missingShards, shardSetProblems } from '../cluster/shardCheck'
import { openShardFile, type OpenedShard } from '../cluster/shardFile'
import { presentContentHashes } from '../store/samples'
import type { CliArgs } from './args'
import { EXIT } from './args'
import { rankedLine } from './infer'
import { datasetRootName, holdingDataFolder } from './holdDataFolder'
import { resolveModelArg } from './modelArg'
import { openWithProgress } from './open'

function refuse(problems: string[], code: number): number {
  console.error(`Nothing was merged:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  return code
}

const n = (x: number): string => x.toLocaleString('en-US')

function importLine(r: ShardImport): string {
  const parts = [`${n(r.added)} added`]
  if (r.upgraded) parts.push(`${n(r.upgraded)} given their poker faces`)
  if (r.embeddingsAdded) parts.push(`${n(r.embeddingsAdded)} given their embeddings`)
  if (r.failuresAdded) parts.push(`${n(r.failuresAdded)} unreadable recorded`)
  parts.push(`${n(r.alreadyStored)} already stored`)
  if (r.unknown) parts.push(`${n(r.unknown)} not in this dataset (skipped)`)
  if (r.uncovered) parts.push(`${n(r.uncovered)} images of this shard not in the file (added after the run? run it again)`)
  return `  shard ${r.shard} ${r.path}: ${parts.join(', ')}`
}

/**
 * `pokerface merge <folder> <shard files…>`: imports the result files of a cluster run
 * (docs/cluster.md) into the dataset's store. Every file is checked first — whole, a shard file,
 * made by the model this store has under that id, one split — and one bad file means nothing is
 * imported, so a retry after fixing it starts from the same store.
 */
export async function merge(ctx: AppContext, handlers: ApiHandlers, args: CliArgs): Promise<number> {
  const folder = args.folder
  if (!folder || args.files.length === 0) {
    console.error(
      'pokerface merge needs the dataset folder, then the shard files: pokerface merge /data/ferplus shards/*.pfshard'
    )
    return EXIT.usage
  }
  const opened: OpenedShard[] = []
  try {
    const unreadable: string[] = []
    for (const path of args.files) {
      const file = openShardFile(path)
      if ('problem' in file) unreadable.push(`${path} ${file.problem}`)
      else opened.push(file)
    }
    if (unreadable.length) return refuse(unreadable, EXIT.badShard)
    const setProblems = shardSetProblems(opened)
    if (setProblems.length) return refuse(setProblems, EXIT.badShard)
    // Held from here, before anything writes the store (a --model folder, the open), to the ranking.
    return await holdingDataFolder(
      ctx.dataDir,
      `pokerface merge into ${await datasetRootName(folder)}`,
      () => mergeHoldingFolder(ctx, handlers, args, folder, opened),
      (message) => refuse([message], EXIT.busy)
    )
  } finally {
    for (const o of opened) o.file.close()
  }
}

async function mergeHoldingFolder(
  ctx: AppContext,
  handlers: ApiHandlers,
  args: CliArgs,
  folder: string,
  opened: OpenedShard[]
): Promise<number> {
  const modelId = opened[0].header.model.id
  if (args.model) {
    const given = await resolveModelArg(handlers, args.model)
    if (given.error) return refuse([given.error], EXIT.badModel)
  }
  const model = (await listModels(ctx.db, ctx.modelsDir)).find((m) => m.id === modelId)
  if (!model)
    return refuse(
      [`the shards were made by the model "${modelId}", which this data folder does not know: pass --model <its folder>`],
      EXIT.badModel
    )
  if (model.problems.length)
    return refuse([`the model "${modelId}" here cannot be used: ${model.problems.join('; ')}`], EXIT.badModel)
  const here = await modelFingerprint(model.folder)
  // Before the scan, which would add the folder to this store: a file of another model is refused first.
  const otherModel = checkModels(opened, here)
  if (otherModel.length) return refuse(otherModel, EXIT.badShard)

  const dataset = await openWithProgress(ctx, handlers, folder, false)
  const hashes = new Set(presentContentHashes(ctx.db, dataset.id))
  const checks = opened.map((o) => checkShardFile(o, here, hashes))
  const problems = checks.flatMap((c) => c.problems)
  if (problems.length) return refuse(problems, EXIT.badShard)

  const results: ShardImport[] = []
  for (const o of opened) results.push(await importShardFile(ctx.db, ctx.generatedDir, modelId, o, hashes))
  const changed = results.some((r) => r.added || r.upgraded || r.embeddingsAdded || r.failuresAdded)
  // As after a local run (api/review.ts, cli/infer.ts): the neighbour lists of a model with
  // embeddings, then the ranking by the model that ran, with the neighbour score. Asked even when
  // nothing changed: lists are computed only when missing or stale, so a merge interrupted before
  // this point gets them on its second try.
  const neighbours = model.embeddingWidth ? await updateNeighbourLists(ctx, dataset.id, model.id) : false
  const ranking = changed || neighbours ? rankDataset(ctx.db, dataset.id, model) : null
  const missing = missingShards(opened)
  const total = (key: keyof ShardImport) => results.reduce((a, r) => a + (r[key] as number), 0)
  if (args.json) {
    console.log(
      JSON.stringify({
        modelId,
        datasetId: dataset.id,
        files: results,
        missingShards: missing,
        neighbours,
        ranked: ranking !== null
      })
    )
  } else {
    console.log(
      `merged ${results.length} shard file${results.length === 1 ? '' : 's'} of ${modelId}: ${n(total('added'))} predictions added, ` +
        `${n(total('alreadyStored'))} already stored`
    )
    for (const r of results) console.log(importLine(r))
    if (missing.length)
      console.log(
        `  not merged yet: shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${opened[0].header.shard.count}`
      )
    if (neighbours) console.log(`  found every image's nearest neighbours by ${modelId}'s embeddings`)
    if (ranking) console.log(rankedLine(ranking))
  }
  return EXIT.ok
}
