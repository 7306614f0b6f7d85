import { ApiError, type ApiHandlers } from '@shared/api'
import type { InferenceJobStatus } from '@shared/inference'
import type { RankingSummary } from '@shared/types'
import type { AppContext } from '../api/context'
import { startInferenceJob } from '../api/inference'
import { ModelContractError } from '../inference/model'
import { DataFolderBusyError } from '../store/dataFolderLock'
import { datasetInferenceErrors } from '../store/predictions'
import { neighboursSettled } from '../api/neighbours'
import { rankingSummary } from '../store/review'
import type { CliArgs } from './args'
import { EXIT } from './args'
import { resolveModelArg } from './modelArg'
import { openWithProgress } from './open'
import { existingShardOutput, packShard } from './inferShard'
import { datasetRootName, holdingDataFolder } from './holdDataFolder'

function formatEta(seconds: number | null): string {
  if (seconds === null) return '–'
  const m = Math.floor(seconds / 60)
  return m > 0 ? `${m}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`
}

export function progressLine(s: InferenceJobStatus): string {
  const todo = s.total - s.alreadyDone
  const pct = todo > 0 ? ((100 * s.done) / todo).toFixed(1) : '100.0'
  return `infer ${s.modelId} [${s.provider ?? '…'}, ${s.threads ?? '…'} threads, batch ${s.batchSize}] ${s.done}/${todo} (${pct}%) ${s.imagesPerSecond} img/s ETA ${formatEta(s.etaSeconds)}${s.failed ? `, ${s.failed} failed` : ''}`
}

/**
 * `pokerface infer <folder>`: scan, then run the model over images with no result yet. A second
 * run, or a run after a crash, does only what is missing. Ctrl+C stops at once; what was stored stays,
 * and the summary's count is what was stored. Another run on the same data folder is refused (EXIT.busy).
 */
export async function infer(ctx: AppContext, handlers: ApiHandlers, args: CliArgs): Promise<number> {
  const folder = args.folder
  if (!folder) {
    console.error('pokerface infer needs a dataset folder')
    return EXIT.usage
  }
  // The folder's lock is taken first, not by the run (see holdingDataFolder).
  return holdingDataFolder(ctx.dataDir, `an inference run on ${await datasetRootName(folder)}`, () =>
    inferHoldingFolder(ctx, handlers, args, folder)
  )
}

async function inferHoldingFolder(ctx: AppContext, handlers: ApiHandlers, args: CliArgs, folder: string): Promise<number> {
  const model = await resolveModelArg(handlers, args.model)
  if (model.error) {
    console.error(model.error)
    return EXIT.badModel
  }
  const modelId = model.id // none: the default model
  if (args.shard && args.out) {
    const existing = existingShardOutput(args.out, args.shard, modelId, args.force)
    if (existing && 'error' in existing) {
      console.error(existing.error)
      return EXIT.exists
    }
    if (existing) {
      console.log(existing.done)
      return EXIT.ok
    }
  }
  // A cluster task's store is its own and is removed once its file is written: the duplicate
  // search over the whole dataset (every image decoded, minutes at AffectNet's size, in every task)
  // would serve nothing. The merge's open, in the real store, runs it once.
  const dataset = await openWithProgress(ctx, handlers, folder, false, { waitForDuplicates: !args.shard })
  if (args.shard) ctx.duplicateSearches.cancel(dataset.id)
  if (dataset.sampleCount === 0) return EXIT.noImages

  let job
  try {
    job = await startInferenceJob(
      ctx,
      {
        datasetId: dataset.id,
        modelId,
        provider: args.provider as never,
        batchSize: args.batch,
        threads: args.threads ?? undefined,
        generate: args.generate
      },
      args.shard ?? undefined
    )
  } catch (err) {
    console.error((err as Error).message)
    if (err instanceof DataFolderBusyError) return EXIT.busy
    const modelProblem =
      err instanceof ModelContractError || (err instanceof ApiError && err.code === 'not_found' && /model/i.test(err.message))
    return modelProblem ? EXIT.badModel : EXIT.usage
  }
  const tty = process.stderr.isTTY
  let last = 0
  let announced = false
  const unsubscribe = ctx.events.subscribe((event, payload) => {
    if (event !== 'inferenceProgress') return
    const s = payload as InferenceJobStatus
    if (!announced && s.provider) {
      announced = true
      for (const w of s.warnings) process.stderr.write(`warning: ${w}\n`)
      process.stderr.write(
        `running on ${s.provider} with ${s.threads} threads; ${s.alreadyDone} of ${s.total} images already done\n`
      )
    }
    const now = Date.now()
    if (tty) process.stderr.write(`\r${progressLine(s)}\x1b[K`)
    else if (now - last > 5000 || s.finishedAt) {
      last = now
      process.stderr.write(progressLine(s) + '\n')
    }
  })
  // `on`, not `once`: a terminal's Ctrl+C reaches both the wrapper and this process, and the
  // wrapper passes it on, so it can arrive twice; the second must not kill the run mid-store.
  const onSignal = (): void => job.cancel()
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
  for (const s of signals) process.on(s, onSignal)
  const final = await job.done
  await neighboursSettled(ctx, dataset.id) // the neighbour label score re-ranks after the run (issue 17)
  for (const s of signals) process.off(s, onSignal)
  unsubscribe()
  if (tty) process.stderr.write('\n')

  const between = (from: string | null) =>
    final.finishedAt && from ? (Date.parse(final.finishedAt) - Date.parse(from)) / 1000 : 0
  const seconds = between(final.startedAt)
  // The run without its fixed start (worker thread, onnxruntime, model load): what more images cost.
  const secondsAfterModelLoad = between(final.modelReadyAt)
  const failures = datasetInferenceErrors(ctx.db, dataset.id, final.modelId)
  // A cluster task: its result file is the product; the private store it ran in is not reviewed.
  if (args.shard && args.out) {
    if (final.state !== 'done') {
      console.error(`shard run ${final.state}${final.message ? `: ${final.message}` : ''}; no result file written`)
      return final.state === 'cancelled' ? EXIT.cancelled : EXIT.runFailed
    }
    const packed = await packShard(ctx, job, args.out)
    if ('error' in packed) {
      console.error(packed.error)
      return packed.code
    }
    const h = packed.header
    const line = `shard ${h.shard.index}/${h.shard.count}: ${h.images} images (${final.done} computed now, ${failures.length} unreadable) → ${args.out}`
    if (args.json)
      console.log(JSON.stringify({ ...final, seconds, secondsAfterModelLoad, failures, shardFile: args.out, images: h.images }))
    else console.log(line)
    return EXIT.ok
  }
  // The ranking this run made (api/review.ts ranks inside the run's last event, which a run with
  // nothing to do sends before this function could listen), and never one left by an earlier run.
  const stored = rankingSummary(ctx.db, dataset.id)
  const ranking = stored && stored.modelId === final.modelId && stored.rankedAt >= final.startedAt ? stored : null
  if (args.json) console.log(JSON.stringify({ ...final, seconds, secondsAfterModelLoad, failures, ranking }))
  else {
    console.log(
      `${final.state}: ${final.done} images in ${seconds.toFixed(1)} s (${final.alreadyDone} already done, ${failures.length} unreadable) ` +
        `with ${final.modelId} on ${final.provider ?? '–'}${final.message ? ` — ${final.message}` : ''}`
    )
    for (const f of failures.slice(0, 10)) console.log(`  unreadable: ${f.relPath}: ${f.reason}`)
    if (failures.length > 10) console.log(`  … and ${failures.length - 10} more`)
    // A failed run is not ranked (api/review.ts): its message above says why.
    if (final.state !== 'failed') console.log(rankedLine(ranking))
  }
  if (final.state === 'cancelled') return EXIT.cancelled
  if (final.state === 'failed') return /contract|model/i.test(final.message ?? '') ? EXIT.badModel : EXIT.runFailed
  return EXIT.ok
}

/** What the run did to the review: the workspace opens on this ranking, so say it was made. */
export function rankedLine(ranking: RankingSummary | null): string {
  if (!ranking) return 'not ranked: no image of this dataset has a prediction by this model'
  const n = (x: number): string => x.toLocaleString('en-US')
  const inSample = ranking.outOfSample.in ? `; ${n(ranking.outOfSample.in)} of them in-sample (listed last)` : ''
  return (
    `ranked ${n(ranking.scored)} labels with ${ranking.modelId}: ${n(ranking.flagged)} flagged as likely wrong` +
    `${inSample}. Open the folder in the workspace to review them, most likely wrong first.`
  )
}
