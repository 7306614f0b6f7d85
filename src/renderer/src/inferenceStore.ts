import { create } from 'zustand'
import type { PokerFaceClient } from '@shared/api'
import type { InferenceJobStatus, ModelInfo, ProviderName } from '@shared/inference'
import type { Split } from '@shared/splits'

/** Run settings a researcher sets once; kept in this browser/profile only. */
export interface RunSettings {
  modelId: string | null
  provider: ProviderName
  threads: number | null
  batchSize: number
  generate: boolean
}

const SETTINGS_KEY = 'pf.runSettings'
const DEFAULTS: RunSettings = { modelId: null, provider: 'auto', threads: null, batchSize: 16, generate: true }

function loadSettings(): RunSettings {
  try {
    return { ...DEFAULTS, ...JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') }
  } catch {
    return DEFAULTS
  }
}

export interface InferenceState {
  models: ModelInfo[]
  settings: RunSettings
  job: InferenceJobStatus | null
  /** How many images the Run button promised, to explain a smaller distinct count in the progress. */
  startedWith: number | null
  error: string | null
  /**
   * Reads the model list once per page (every view that needs it mounts and asks); `force` reads it
   * again, after a model was added.
   */
  loadModels(force?: boolean): Promise<void>
  addModel(folder: string): Promise<void>
  setSettings(patch: Partial<RunSettings>): void
  watch(datasetId: number): Promise<void>
  /** `split`: only that split's images (the Run button follows the grid's Split filter); `images`: how many it said. */
  start(datasetId: number, split: Split | undefined, images: number): Promise<void>
  cancel(): Promise<void>
}

/**
 * The model runs: available models, the run settings, and the live status of the dataset's run,
 * fed by `inferenceProgress` events. `onFinished` lets the review store refresh predictions.
 */
export const createInferenceStore = (client: PokerFaceClient, onFinished: (status: InferenceJobStatus) => void) =>
  create<InferenceState>((set, get) => {
    let watching: number | null = null
    client.on('inferenceProgress', (status) => {
      if (status.datasetId !== watching) return
      set({ job: status })
      if (status.finishedAt) onFinished(status)
    })
    const fail = (err: unknown): void => set({ error: (err as Error).message })
    let modelList: Promise<void> | null = null
    return {
      models: [],
      settings: loadSettings(),
      job: null,
      startedWith: null,
      error: null,
      loadModels: (force = false) => {
        if (force || !modelList)
          modelList = client.call('listModels', {}).then(
            (models) => set({ models }),
            (err) => {
              modelList = null // not kept: the next view to ask tries again
              fail(err)
            }
          )
        return modelList
      },
      addModel: (folder) =>
        client.call('addModel', { folder }).then(async (model) => {
          set({ error: null })
          await get().loadModels(true)
          get().setSettings({ modelId: model.id })
        }, fail),
      setSettings: (patch) => {
        const settings = { ...get().settings, ...patch }
        localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings))
        set({ settings })
      },
      watch: async (datasetId) => {
        watching = datasetId
        set({ job: await client.call('getInferenceJob', { datasetId }), error: null })
      },
      start: async (datasetId, split, images) => {
        const { modelId, provider, threads, batchSize, generate } = get().settings
        set({ error: null, startedWith: images })
        try {
          set({
            job: await client.call('startInference', {
              datasetId,
              modelId: modelId ?? undefined,
              provider,
              threads: threads ?? undefined,
              batchSize,
              generate,
              split
            })
          })
        } catch (err) {
          fail(err)
        }
      },
      cancel: async () => {
        const job = get().job
        if (job) set({ job: (await client.call('cancelInference', { jobId: job.jobId })) ?? job })
      }
    }
  })

export type InferenceStore = ReturnType<typeof createInferenceStore>
