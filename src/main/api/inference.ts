import { ApiError, type ApiHandlers } from '@shared/api'
import { SPLITS } from '@shared/splits'
import type { InferenceJobStatus, SamplePrediction } from '@shared/inference'
import { GENERATE_OUTPUTS, MODEL_IMAGE_KINDS, type GeneratedImageKind } from '@shared/models'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import sharp from 'sharp'
import { resolveInside } from '../paths'
import { datasetRoot } from '../store/datasets'
import { attentionPng, emotionMapPng } from '../vision/overlays'
import { generatedSheetPath, sheetPanel } from '../inference/postProcess'
import { ModelContractError } from '../inference/model'
import { isProviderChoice } from '../inference/providers'
import { addUserModel, listModels, pickModel } from '../inference/registry'
import { InferenceJob } from '../inference/runner'
import { inferenceError, predictionFor } from '../store/predictions'
import { getSampleRow } from '../store/samples'
import type { AppContext } from './context'

type InferenceHandlers = Pick<
  ApiHandlers,
  'listModels' | 'addModel' | 'startInference' | 'cancelInference' | 'getInferenceJob' | 'getPrediction'
>

const MAX_BATCH = 256
let nextJobId = 1

function contractError(err: unknown): never {
  if (err instanceof ModelContractError) throw new ApiError('bad_request', err.message)
  throw err
}

/** Starts a run and returns its job; used by the API and the CLI alike. */
export async function startInferenceJob(
  ctx: AppContext,
  args: Parameters<ApiHandlers['startInference']>[0]
): Promise<InferenceJob> {
  const { datasetId, modelId, provider = 'auto', threads, batchSize = 16, generate = true, split } = args
  if (!Number.isSafeInteger(datasetId)) throw new ApiError('bad_request', 'datasetId must be a whole number')
  if (!isProviderChoice(provider))
    throw new ApiError('bad_request', `Unknown execution provider "${provider}" (auto, cpu, cuda, dml, coreml, webgpu)`)
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH)
    throw new ApiError('bad_request', `batchSize must be 1–${MAX_BATCH}`)
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 256))
    throw new ApiError('bad_request', 'threads must be a positive whole number')
  if (split !== undefined && !SPLITS.includes(split))
    throw new ApiError('bad_request', `Unknown split "${split}" (train, valid, test)`)
  const running = ctx.jobs.get(datasetId)
  if (running && !running.status.finishedAt)
    throw new ApiError('bad_request', 'A run is already going on this dataset; cancel it first')
  const model = pickModel(await listModels(ctx.db, ctx.modelsDir), modelId)
  const job = new InferenceJob(
    ctx.db,
    nextJobId++,
    { datasetId, model, provider, threads, batchSize, generate, split, cacheDir: ctx.generatedDir, workersDir: ctx.workersDir },
    (status) => ctx.events.emit('inferenceProgress', status)
  )
  ctx.jobs.set(datasetId, job)
  void job.start()
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
      return addUserModel(ctx.db, folder.trim()).catch(contractError)
    },

    startInference: async (args) => {
      const job = await startInferenceJob(ctx, args).catch(contractError)
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

/**
 * A model image of a sample as PNG bytes, or null when the run has not produced it: generated
 * faces come from the cache; the emotion map and attention overlay are drawn on request.
 */
export async function modelImage(ctx: AppContext, modelId: string, kind: string, sampleId: number): Promise<Buffer | null> {
  if (!(MODEL_IMAGE_KINDS as readonly string[]).includes(kind) || !/^[\w.-]+$/.test(modelId)) return null
  const row = getSampleRow(ctx.db, sampleId)
  if (!row) return null
  const sheet = await readFile(generatedSheetPath(ctx.generatedDir, modelId, row.contentHash)).catch(() => null)
  const size = sheet ? ((await sharp(sheet).metadata()).height ?? 0) : 0
  const panel = (k: GeneratedImageKind) =>
    sharp(sheet as Buffer)
      .extract({ left: sheetPanel(k) * size, top: 0, width: size, height: size })
      .png()
      .toBuffer()
  if ((GENERATE_OUTPUTS as readonly string[]).includes(kind)) return sheet ? panel(kind as GeneratedImageKind) : null
  if (kind === 'attention') {
    const stored = predictionFor(ctx.db, row.contentHash, modelId)
    return stored?.attention.length ? attentionPng(stored.attention, size || 112) : null
  }
  const root = datasetRoot(ctx.db, row.datasetId)
  const face = root ? resolveInside(root, row.relPath) : null
  return sheet && face ? emotionMapPng(face, await panel('poker_face')).catch(() => null) : null
}
