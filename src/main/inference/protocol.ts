import type { PreparedBatch } from './engine'
import type { ItemResult, OutputSpec, RawOutputs } from './postProcess'
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

/** What the post-processing thread is started with (its workerData): the same for every batch of a run. */
export interface PostProcessSetup {
  spec: OutputSpec
  cacheDir: string
}

/** Messages between the runner and the post-processing thread: raw outputs in, results out. */
export type ToPostProcess = { type: 'outputs'; id: number; raw: RawOutputs }

export type FromPostProcess =
  /** The thread's nice value once it has lowered it (null where the platform keeps priority per process). */
  | { type: 'ready'; nice: number | null }
  | { type: 'results'; id: number; results: ItemResult[] }
  | { type: 'failed'; id: number; message: string }

/** The buffers behind a batch's raw outputs, each once (outputs may share one): handed over, not copied. */
export function outputBuffers(raw: RawOutputs): ArrayBuffer[] {
  const arrays = [raw.input, raw.logits, raw.attention, ...(raw.embedding ? [raw.embedding] : []), ...(raw.generated ?? [])]
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))]
}
