import type { ModelImageKind } from './models'
import type { Split } from './splits'

export type ProviderName = 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu'

export interface ModelInfo {
  id: string
  name: string
  version: string
  classes: string[]
  inputSize: number
  generates: boolean
  source: 'builtin' | 'user'
  folder: string
  /** Width of the classifier's optional [CLS] embedding output (issue 17); null when the graph has none. */
  embeddingWidth?: number | null
  /** Why the model cannot be used; empty when it fits the contract. */
  problems: string[]
  metrics?: unknown
}

export interface InferenceOptions {
  datasetId: number
  /** Defaults to the first usable built-in model. */
  modelId?: string
  provider?: ProviderName
  threads?: number
  batchSize?: number
  /** Also generate poker faces, reconstructions and emotion maps (slower). Default true. */
  generate?: boolean
  /** Only this split's images (e.g. test, for an evaluation); default all. */
  split?: Split
}

export type JobState = 'starting' | 'running' | 'done' | 'cancelled' | 'failed'

export interface InferenceJobStatus {
  jobId: number
  datasetId: number
  modelId: string
  state: JobState
  /** Distinct images (identical files count once). */
  total: number
  /** Already computed before this run (same image, same model): nothing to do. */
  alreadyDone: number
  done: number
  failed: number
  imagesPerSecond: number
  etaSeconds: number | null
  provider: string | null
  threads: number | null
  batchSize: number
  warnings: string[]
  message: string | null
  startedAt: string
  /** When the worker had the model loaded and the first batch could run (null before). */
  modelReadyAt: string | null
  finishedAt: string | null
}

export interface SamplePrediction {
  modelId: string
  classes: string[]
  probabilities: number[]
  predictedLabel: string
  confidence: number
  /** Kinds of generated image available for this sample. */
  images: ModelImageKind[]
  error: string | null
}
