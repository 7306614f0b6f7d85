import type { InferenceItem, ItemResult } from './engine'
import type { ProviderChoice } from './providers'

/** Messages between the job runner (main thread) and the inference worker. */
export type ToWorker =
  | { type: 'init'; folder: string; cacheDir: string; provider: ProviderChoice; threads?: number; generate: boolean }
  | { type: 'batch'; id: number; items: InferenceItem[] }

export type FromWorker =
  | { type: 'ready'; provider: string; threads: number; warnings: string[]; modelId: string; generates: boolean }
  | { type: 'result'; id: number; results: ItemResult[] }
  | { type: 'fatal'; message: string; problems?: string[] }
