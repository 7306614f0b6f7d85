import type { PreparedBatch, RawOutputs } from './engine'
import type { ProviderChoice } from './providers'
import type { Normalisation } from '../vision/preprocess'

/**
 * Messages between the job runner and the inference worker. The runner decodes images (its
 * thread is free while the model runs) and hands the worker ready tensors, transferred, not copied.
 */
export type ToWorker =
  | { type: 'init'; folder: string; cacheDir: string; provider: ProviderChoice; threads?: number; generate: boolean }
  | { type: 'batch'; id: number; batch: PreparedBatch }
  /** Finish the batch running now, skip the rest, then say `stopped`. */
  | { type: 'stop' }

export type FromWorker =
  | {
      type: 'ready'
      provider: string
      threads: number
      warnings: string[]
      modelId: string
      generates: boolean
      /** How the model wants its input, for the runner's decoding. */
      input: Normalisation
    }
  /** A batch's raw outputs; the runner turns them into stored results. */
  | { type: 'outputs'; id: number; raw: RawOutputs }
  | { type: 'fatal'; message: string; problems?: string[] }
  | { type: 'stopped' }
