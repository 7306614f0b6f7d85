import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { ApiHandlers } from '@shared/api'
import type { AppContext } from '../api/context'
import { startInferenceJob } from '../api/inference'
import { classificationReport, type ClassificationReport } from '../review/accuracy'
import { calibrationReport, type CalibrationReport } from '../review/calibration'
import { EXIT, type CliArgs } from './args'
import { writeCardGrid, GRID_COLUMNS } from './cardGrid'
import { progressLine } from './infer'
import { resolveModelArg } from './modelArg'
import { openWithProgress } from './open'
import { checkPokerFaces } from './pokerFaceCheck'

/** Labelled samples of one split with this model's prediction, in the model's class indices. */
function labelledPredictions(ctx: AppContext, datasetId: number, modelId: string, split: string) {
  return ctx.db
    .prepare(
      `SELECT s.original_label AS label, p.predicted_label AS predicted, p.probabilities AS probabilities FROM samples s
       JOIN predictions p ON p.content_hash = s.content_hash AND p.model_id = ?
       WHERE s.dataset_id = ? AND s.status = 'present' AND s.split = ? AND s.original_label IS NOT NULL`
    )
    .all(modelId, datasetId, split) as { label: string; predicted: string; probabilities: string }[]
}

/**
 * `pokerface eval [folder]`: the benchmark through the app's own code — the dataset reader
 * (FERPlus majority protocol), sharp preprocessing and onnxruntime-node inference — so anyone can
 * check a model card's figures from the shipped ONNX files. Default: FERPlus test split.
 */
export async function evaluate(ctx: AppContext, handlers: ApiHandlers, args: CliArgs): Promise<number> {
  const folder = args.folder ?? join(resolve(process.env.PF_DATA_DIR ?? join(process.cwd(), '..', 'shared', 'data')), 'ferplus')
  if (!existsSync(folder)) {
    console.error(`No dataset at ${folder}: pass a folder, or set PF_DATA_DIR to the folder holding ferplus/`)
    return EXIT.usage
  }
  const split = args.split ?? 'test'
  const model = await resolveModelArg(handlers, args.model)
  if (model.error) {
    console.error(model.error)
    return EXIT.badModel
  }
  const dataset = await openWithProgress(ctx, handlers, folder, false)
  const job = await startInferenceJob(ctx, {
    datasetId: dataset.id,
    modelId: model.id,
    provider: args.provider as never,
    threads: args.threads ?? undefined,
    batchSize: args.batch,
    generate: args.generate,
    split: split as never
  }).catch((err: Error) => err)
  if (job instanceof Error) {
    console.error(job.message)
    return EXIT.badModel
  }
  let last = 0
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
  const { id: modelId, classes } = job.model
  const rows = labelledPredictions(ctx, dataset.id, modelId, split)
  const index = new Map(classes.map((c, i) => [c, i]))
  const scored = rows.filter((r) => index.has(r.label))
  const truth = scored.map((r) => index.get(r.label) as number)
  const report = classificationReport(
    truth,
    scored.map((r) => index.get(r.predicted) as number),
    classes
  )
  const calibration = calibrationReport(
    scored.map((r) => JSON.parse(r.probabilities) as number[]),
    truth
  )
  const generated = args.generate && job.model.generates
  const device = { provider: args.provider, threads: args.threads ?? undefined }
  const result = {
    model: modelId,
    data: `${dataset.root} (${split} split, labels as the dataset format reads them)`,
    // The graphs run as the model folder has them (fp32 inputs; an int8 copy's weights stay int8).
    pipeline: `PokerFace Studio: the app's preprocessing + onnxruntime-node on ${final.provider ?? '?'}, ${final.threads ?? '?'} threads, the model folder's own graphs`,
    skipped_labels_not_in_model: rows.length - scored.length,
    ...report,
    calibration,
    poker_faces: generated ? await checkPokerFaces(ctx, dataset.id, job.model, split, device) : null
  }
  const text = JSON.stringify(result, null, 2)
  console.log(text)
  console.error(summaryLine(report, calibration))
  if (args.out) {
    await mkdir(dirname(resolve(args.out)), { recursive: true })
    await writeFile(args.out, text + '\n')
  }
  if (args.grid) {
    if (!generated) {
      console.error('--grid needs generated faces: drop --no-generate, and use a model that generates')
      return EXIT.usage
    }
    const rows = await writeCardGrid(ctx, dataset.id, job.model, split, args.grid)
    console.error(
      `grid written to ${args.grid}: columns ${GRID_COLUMNS.join(' | ')}; rows ${rows.map((r) => `${r.label}`).join(', ')}`
    )
  }
  return EXIT.ok
}

const percent = (x: number | null): string => (x === null ? 'n/a' : `${(100 * x).toFixed(1)} %`)

/** The figures a researcher compares first, on one line (the JSON above has the rest). */
export function summaryLine(report: ClassificationReport, calibration: CalibrationReport): string {
  const ece = calibration.expected_calibration_error
  return (
    `accuracy ${percent(report.accuracy)} · mean per-class recall ${percent(report.mean_class_recall)} · ` +
    `ECE ${ece === null ? 'n/a' : ece.toFixed(3)} (${calibration.bins} bins) · ${report.samples.toLocaleString('en-US')} faces`
  )
}
