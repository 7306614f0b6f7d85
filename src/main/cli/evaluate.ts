import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { ApiHandlers } from '@shared/api'
import type { AppContext } from '../api/context'
import { startInferenceJob } from '../api/inference'
import { benchmarkReport, pairedCorrectness, summaryLine } from '../evaluation/benchmark'
import { foldedCalibration } from '../evaluation/foldedCalibration'
import { readManifest } from '../inference/model'
import { mcnemar } from '../evaluation/mcnemar'
import { DataFolderBusyError } from '../store/dataFolderLock'
import { EXIT, type CliArgs } from './args'
import { inEvalDataFolder, withWorkspaceModels } from './evalDataFolder'
import { writeCardGrid, GRID_COLUMNS } from '../evaluation/cardGrid'
import { checkPokerFaces } from '../evaluation/pokerFaces'
import { progressLine } from './infer'
import { datasetRootName, holdingDataFolder } from './holdDataFolder'
import { resolveModelArg } from './modelArg'
import { openWithProgress } from './open'

/**
 * `pokerface eval [folder]`: the benchmark through the app's own code — the dataset reader
 * (FERPlus majority protocol), sharp preprocessing and onnxruntime-node inference — so anyone can
 * check a model card's figures from the shipped ONNX files. Default: FERPlus test split. It runs in
 * its own data folder (see evalDataFolder.ts), so an open workspace never sees it.
 */
export async function evaluate(workspace: AppContext, _workspaceHandlers: ApiHandlers, args: CliArgs): Promise<number> {
  const asked = withWorkspaceModels(workspace, args)
  return inEvalDataFolder(workspace, (ctx, handlers) => evaluateIn(ctx, handlers, asked))
}

async function evaluateIn(ctx: AppContext, handlers: ApiHandlers, args: CliArgs): Promise<number> {
  const folder = args.folder ?? join(resolve(process.env.PF_DATA_DIR ?? join(process.cwd(), '..', 'shared', 'data')), 'ferplus')
  if (!existsSync(folder)) {
    console.error(`No dataset at ${folder}: pass a folder, or set PF_DATA_DIR to the folder holding ferplus/`)
    return EXIT.usage
  }
  // Held before the model and the open write eval's store, like infer (see holdingDataFolder).
  return holdingDataFolder(ctx.dataDir, `pokerface eval on ${await datasetRootName(folder)}`, () =>
    evaluateFolder(ctx, handlers, args, folder)
  )
}

async function evaluateFolder(ctx: AppContext, handlers: ApiHandlers, args: CliArgs, folder: string): Promise<number> {
  const model = await resolveModelArg(handlers, args.model)
  if (model.error) {
    console.error(model.error)
    return EXIT.badModel
  }
  const dataset = await openWithProgress(ctx, handlers, folder, false)
  const split = chooseSplit(ctx, dataset.id, args.split)
  if ('error' in split) {
    console.error(split.error)
    return EXIT.noImages
  }
  const run = await runOnSplit(ctx, dataset.id, model.id as string, split.value, args, args.generate)
  if (typeof run === 'number') return run
  const { job, final } = run
  const fold = foldedCalibration((await readManifest(job.model.folder)).training, job.model.classes.length)
  const { report, calibration, beforeCalibration, skippedLabels } = benchmarkReport(ctx, dataset.id, job.model, split.value, fold)
  if (report.samples === 0) {
    console.error(
      `No labelled faces to score in ${dataset.root} (${split.name}): the model ran, but no face there has a label among its classes (${job.model.classes.join(', ')})`
    )
    return EXIT.noImages
  }
  const generated = args.generate && job.model.generates
  const device = { provider: args.provider, threads: args.threads ?? undefined }
  const result = {
    model: job.model.id,
    data: `${dataset.root} (${split.name}, labels as the dataset format reads them)`,
    // The graphs run as the model folder has them (fp32 inputs; an int8 copy's weights stay int8).
    pipeline: `PokerFace Studio: the app's preprocessing + onnxruntime-node on ${final.provider ?? '?'}, ${final.threads ?? '?'} threads, the model folder's own graphs`,
    skipped_labels_not_in_model: skippedLabels,
    ...report,
    calibration,
    before_calibration: beforeCalibration,
    poker_faces: generated
      ? await checkPokerFaces(ctx, dataset.id, job.model, split.value, {
          ...device,
          neutralReference: args.neutralReference,
          samePersonThreshold: args.samePersonThreshold,
          personPattern: args.personPattern
        })
      : null
  }
  if (args.pairedWith) {
    const other = await resolveModelArg(handlers, args.pairedWith)
    if (other.error) {
      console.error(other.error)
      return EXIT.badModel
    }
    const second = await runOnSplit(ctx, dataset.id, other.id as string, split.value, args, false)
    if (typeof second === 'number') return second
    const { aRight, bRight } = pairedCorrectness(ctx, dataset.id, job.model, second.job.model, split.value)
    Object.assign(result, { paired_comparison: { a: job.model.id, b: second.job.model.id, ...mcnemar(aRight, bRight) } })
  }
  const text = JSON.stringify(result, null, 2)
  const summary = summaryLine(report, calibration, beforeCalibration?.without_temperature.expected_calibration_error)
  if (args.out) {
    await mkdir(dirname(resolve(args.out)), { recursive: true })
    await writeFile(args.out, text + '\n')
    console.log(`${summary} → ${resolve(args.out)}`)
  } else {
    console.log(text)
    console.error(summary)
  }
  if (args.grid) {
    if (!generated) {
      console.error('--grid needs generated faces: drop --no-generate, and use a model that generates')
      return EXIT.usage
    }
    const rows = await writeCardGrid(ctx, dataset.id, job.model, split.value, args.grid)
    console.error(
      `grid written to ${args.grid}: columns ${GRID_COLUMNS.join(' | ')}; rows ${rows.map((r) => `${r.label}`).join(', ')}`
    )
  }
  return EXIT.ok
}

/**
 * Which split to score: the one asked for ("all": every split), else test where the folder has a
 * test split, else every labelled face (a folder without split folders).
 */
function chooseSplit(
  ctx: AppContext,
  datasetId: number,
  asked: string | null
): { value: string | null; name: string } | { error: string } {
  const present = (
    ctx.db.prepare(`SELECT DISTINCT split FROM samples WHERE dataset_id = ? AND status = 'present'`).all(datasetId) as {
      split: string | null
    }[]
  ).map((r) => r.split)
  if (asked === 'all') return { value: null, name: 'all splits' }
  if (asked) {
    if (!present.includes(asked))
      return {
        error: `This folder has no ${asked} split (it has: ${present.map((p) => p ?? 'no split').join(', ')}); use --split all to score every labelled face`
      }
    return { value: asked, name: `${asked} split` }
  }
  return present.includes('test') ? { value: 'test', name: 'test split' } : { value: null, name: 'all splits' }
}

/** Runs a model over the split (only images without a result yet), printing progress; an exit code on failure. */
async function runOnSplit(
  ctx: AppContext,
  datasetId: number,
  modelId: string,
  split: string | null,
  args: CliArgs,
  generate: boolean
) {
  const job = await startInferenceJob(ctx, {
    datasetId,
    modelId,
    provider: args.provider as never,
    threads: args.threads ?? undefined,
    batchSize: args.batch,
    generate,
    split: (split ?? undefined) as never
  }).catch((err: Error) => err)
  if (job instanceof Error) {
    console.error(job.message)
    return job instanceof DataFolderBusyError ? EXIT.busy : EXIT.badModel
  }
  let last = 0
  // Said before any progress: stored results discarded (the graphs changed under the same id) means every image runs again.
  for (const w of job.status.warnings) console.error(`warning: ${w}`)
  const stop = ctx.events.subscribe((event, payload) => {
    if (event !== 'inferenceProgress' || Date.now() - last < 5000) return
    last = Date.now()
    process.stderr.write(progressLine(payload as never) + '\n')
  })
  const final = await job.done
  stop()
  if (final.state !== 'done') {
    console.error(`evaluation run ${final.state}: ${final.message ?? ''}`)
    return final.state === 'cancelled' ? EXIT.cancelled : EXIT.runFailed
  }
  return { job, final }
}
