import { ApiError, type ApiHandlers } from '@shared/api'
import type { InferenceJobStatus, SamplePrediction } from '@shared/inference'
import { checkRequestArgs } from '@shared/requestSchemas'
import { MODEL_IMAGE_KINDS } from '@shared/models'
import { existsSync } from 'node:fs'
import { sweepStaleTemporaries } from '../files/atomicWrite'
import { datasetRoot } from '../store/datasets'
import { addUserModel, listModels, pickModel } from '../inference/registry'
import { InferenceJob } from '../inference/runner'
import { generatedSheetPath } from '../media/sheetLayout'
import { lockDataFolder } from '../store/dataFolderLock'
import { discardResultsOfOtherGraphs } from '../store/modelGraphs'
import { graphsSha256, modelFingerprint } from '../cluster/modelFingerprint'
import { inferenceError, predictionFor } from '../store/predictions'
import { getSampleRow } from '../store/samples'
import type { AppContext } from './context'
import type { ShardSpec } from '../cluster/shard'

type InferenceHandlers = Pick<
  ApiHandlers,
  'listModels' | 'addModel' | 'startInference' | 'cancelInference' | 'getInferenceJob' | 'getPrediction'
>

let nextJobId = 1

/**
 * Starts a run and returns its job; used by the API and the CLI alike. The CLI hands over what
 * it parsed from the command line, so this entry checks its arguments against the same request
 * schema the transports use (src/shared/requestSchemas.ts): one definition, two doors.
 */
export async function startInferenceJob(
  ctx: AppContext,
  args: Parameters<ApiHandlers['startInference']>[0],
  /** `pokerface infer --shard`: not part of the API, which runs whole datasets. */
  shard?: ShardSpec
): Promise<InferenceJob> {
  const checked = checkRequestArgs('startInference', args)
  const { datasetId, modelId, provider = 'auto', threads, batchSize = 16, generate = true, split } = checked
  const running = ctx.jobs.get(datasetId)
  if (running && !running.status.finishedAt)
    throw new ApiError('bad_request', 'A run is already going on this dataset; cancel it first')
  const model = pickModel(await listModels(ctx.db, ctx.modelsDir), modelId)
  // Read before the lock: which graphs this run's results will come from (see store/modelGraphs.ts).
  const graphs = graphsSha256(await modelFingerprint(model.folder))
  // One process at a time runs inference into a data folder; a second is told who has it.
  const lock = lockDataFolder(ctx.dataDir, `an inference run on ${datasetRoot(ctx.db, datasetId) ?? `dataset ${datasetId}`}`)
  // Cache files a killed run left half-written (their writer's pid is gone) are removed before this one starts.
  await sweepStaleTemporaries(ctx.generatedDir, { recursive: true }).catch(() => {})
  let discarded: number
  try {
    discarded = discardResultsOfOtherGraphs(ctx.db, model.id, graphs)
  } catch (e) {
    // A locked or full database: the run never starts, so the data folder must not stay locked.
    lock.release()
    throw e
  }
  const startWarnings =
    discarded > 0
      ? [
          `${model.id}'s graphs are not the ones its stored results came from (exported again under the same id): ` +
            `${discarded.toLocaleString('en-US')} stored results discarded, with the label rankings made from them, ` +
            'and every image is computed again'
        ]
      : []
  const job = new InferenceJob(
    ctx.db,
    nextJobId++,
    {
      datasetId,
      model,
      provider,
      threads,
      batchSize,
      generate,
      split,
      shard,
      cacheDir: ctx.generatedDir,
      workersDir: ctx.workersDir,
      startWarnings
    },
    (status) => ctx.events.emit('inferenceProgress', status)
  )
  ctx.jobs.set(datasetId, job)
  void job.start().finally(() => lock.release())
  return job
}

/** The model whose results a sample's views show: asked for, else the dataset's last run, else the default. */
async function viewModel(ctx: AppContext, datasetId: number, modelId?: string) {
  const models = await listModels(ctx.db, ctx.modelsDir)
  const id = modelId ?? ctx.jobs.get(datasetId)?.status.modelId
  return id ? models.find((m) => m.id === id) : models.find((m) => m.problems.length === 0)
}

export function createInferenceHandlers(ctx: AppContext): InferenceHandlers {
  return {
    listModels: async () => listModels(ctx.db, ctx.modelsDir),

    addModel: async ({ folder }) => {
      if (typeof folder !== 'string' || !folder.trim()) throw new ApiError('bad_request', 'No model folder given')
      return addUserModel(ctx.db, folder.trim())
    },

    startInference: async (args) => {
      const job = await startInferenceJob(ctx, args)
      return { ...job.status }
    },

    cancelInference: async ({ jobId }) => {
      const job = [...ctx.jobs.values()].find((j) => j.status.jobId === jobId)
      if (!job) return null
      job.cancel()
      return { ...job.status } as InferenceJobStatus
    },

    getInferenceJob: async ({ datasetId }) => {
      const job = ctx.jobs.get(datasetId)
      return job ? { ...job.status } : null
    },

    getPrediction: async ({ sampleId, modelId }) => {
      const row = getSampleRow(ctx.db, sampleId)
      if (!row) throw new ApiError('not_found', `No sample with id ${sampleId}`)
      const model = await viewModel(ctx, row.datasetId, modelId)
      if (!model) return null
      const stored = predictionFor(ctx.db, row.contentHash, model.id)
      const error = inferenceError(ctx.db, row.contentHash, model.id)
      if (!stored && !error) return null
      const generated = existsSync(generatedSheetPath(ctx.generatedDir, model.id, row.contentHash))
      const images = MODEL_IMAGE_KINDS.filter((kind) => (kind === 'attention' ? (stored?.attention.length ?? 0) > 0 : generated))
      const result: SamplePrediction = {
        modelId: model.id,
        classes: model.classes,
        probabilities: stored?.probabilities ?? [],
        predictedLabel: stored?.predictedLabel ?? '',
        confidence: stored?.confidence ?? 0,
        images,
        error
      }
      return result
    }
  }
}
