/**
 * The one API between the review workspace and the main process. Every request the renderer
 * may make is a row of `ApiRequests` (name → argument → result); every push from the main side
 * is a row of `ApiEvents`. The main side implements this table once (src/main/api); the two
 * transports (Electron IPC, HTTP in browser mode) are thin loops over it, so renaming a field
 * here breaks the build on both sides.
 */
import type { Label } from './emotions'
import type { InferenceJobStatus, InferenceOptions, ModelInfo, SamplePrediction } from './inference'
import type { MenuCommand } from './menuCommands'
import type { ModelImageKind } from './models'
import type { DatasetFormatInfo, FormatCandidate, FormatId, FormatOptions, FormatSpec } from './formats/types'
import type { MapColours } from './mapColours'
import type {
  DatasetSummary,
  ExportFormat,
  ExportResult,
  RankingSummary,
  ReviewFlag,
  ReviewMetrics,
  Sample,
  SampleDetail,
  SampleFilter,
  SamplePage,
  SampleReview,
  SampleSort,
  ScanProblem,
  ScanProgress,
  ScanReport,
  UndoResult
} from './types'

export interface AppInfo {
  productName: string
  version: string
  dataDir: string
  /** The dataset the app was started with (`pokerface serve <folder>`), if any. */
  startupDatasetId: number | null
}

export interface ApiRequests {
  getAppInfo: { args: Record<string, never>; result: AppInfo }
  listDatasets: { args: Record<string, never>; result: DatasetSummary[] }
  /**
   * Scans (or rescans, incrementally) a folder and returns it; progress comes as `scanProgress`.
   * `format` absent: the format the dataset was read with last time, else detection; 'auto': detect again.
   * `options` override what detection found (FERPlus mode, CSV columns…).
   */
  openDataset: {
    args: { root: string; format?: FormatId | 'auto'; options?: FormatOptions }
    result: { dataset: DatasetSummary; report: ScanReport; format: DatasetFormatInfo }
  }
  /** Stops the scans of this folder that openDataset is running; they answer an error and store nothing. */
  cancelScan: { args: { root: string }; result: { cancelled: boolean } }
  /** The dataset formats the app reads and writes, for the open screen's choice. */
  listFormats: { args: Record<string, never>; result: FormatSpec[] }
  /** What a folder looks like, best reading first, without opening it. */
  detectFormat: { args: { root: string }; result: FormatCandidate[] }
  /** How a dataset was read, and its class mapping checked against a model's classes (default: the canonical eight). */
  getDatasetFormat: { args: { datasetId: number; modelClasses?: string[] }; result: DatasetFormatInfo }
  getDataset: { args: { datasetId: number }; result: DatasetSummary }
  listProblems: { args: { datasetId: number }; result: ScanProblem[] }
  /**
   * One page of the grid; `sort` absent: path order. At most MAX_PAGE_ROWS (2,000) rows: a bigger
   * `limit` is cut to it, and the answer's `limit` and `capped` say so.
   */
  querySamples: {
    args: { datasetId: number; filter: SampleFilter; offset: number; limit: number; sort?: SampleSort }
    result: SamplePage
  }
  getSample: { args: { sampleId: number }; result: SampleDetail }
  /**
   * Where a sample stands in the grid's view (this filter and order), 0-based, or null when the view
   * leaves it out: undo and redo move the cursor there.
   */
  locateSample: {
    args: { datasetId: number; filter: SampleFilter; sort?: SampleSort; sampleId: number }
    result: { position: number | null }
  }
  /**
   * Labels samples as one undoable action. A sample that already has the label is confirmed:
   * it gets the keep mark and counts as reviewed, as with K.
   */
  setLabel: {
    args: { datasetId: number; sampleIds: number[]; label: Label | null }
    result: UndoResult
  }
  /**
   * Whether there is an action to undo or redo. One history covers every decision (labels, marks,
   * notes, accepted suggestions) and survives restarts.
   */
  getUndoState: { args: { datasetId: number }; result: Omit<UndoResult, 'sampleIds' | 'step'> }
  /** Takes back the newest action; `step` names it and the sample to show ("marked a.png not-a-face"). */
  undo: { args: { datasetId: number }; result: UndoResult }
  /** Does again the action undone last; `step` names it. */
  redo: { args: { datasetId: number }; result: UndoResult }
  exportLabels: {
    args: { datasetId: number; format: ExportFormat; path: string; overwrite: boolean }
    result: ExportResult
  }
  /** A sensible place to export to: the app's exports folder, never inside the dataset. */
  suggestExportPath: { args: { datasetId: number; format: ExportFormat }; result: string }
  /**
   * Raw photos → a folder of aligned face crops (BlazeFace), each linked to its photo in
   * faces.csv; open `out` afterwards. Default `out`: the app's data folder.
   */
  extractFaces: {
    args: { photos: string; out?: string }
    result: { out: string; photos: number; faces: number; skipped: { relPath: string; reason: string }[] }
  }
  /** Built-in and user models, each with the problems that keep it from running (if any). */
  listModels: { args: Record<string, never>; result: ModelInfo[] }
  /** Checks a model folder against the model contract and adds it; the error lists every mismatch. */
  addModel: { args: { folder: string }; result: ModelInfo }
  /** Starts running a model over a dataset; progress arrives as `inferenceProgress`. */
  startInference: { args: InferenceOptions; result: InferenceJobStatus }
  cancelInference: { args: { jobId: number }; result: InferenceJobStatus | null }
  /** The running or most recent run of a dataset, if any. */
  getInferenceJob: { args: { datasetId: number }; result: InferenceJobStatus | null }
  /** A sample's stored prediction by a model (default: the dataset's last-run model). */
  getPrediction: { args: { sampleId: number; modelId?: string }; result: SamplePrediction | null }
  /**
   * Ranks the dataset's labels by how likely each is wrong, from a model's stored predictions
   * (default: the dataset's last run, else the model with most predictions), replacing the
   * previous ranking. Also done automatically when a run finishes; answers `labelIssuesRanked` too.
   */
  rankLabelIssues: { args: { datasetId: number; modelId?: string }; result: RankingSummary }
  /**
   * Declares (or withdraws) that the models run on this dataset never trained on its images, for a
   * folder the model card cannot place (a copy of FER2013 test); stored with the dataset, shown, and
   * exported in provenance. Ranks again with the ranking's model, answering `labelIssuesRanked` too.
   */
  declareOutOfSample: { args: { datasetId: number; declared: boolean }; result: DatasetSummary }
  /** Review progress, confusion matrix, per-class agreement and class distribution, as of now. */
  getReviewMetrics: { args: { datasetId: number }; result: ReviewMetrics }
  /** A sample's label-issue scores, note, review flags and whether it counts as reviewed. */
  getSampleReview: { args: { sampleId: number }; result: SampleReview }
  /** Sets (on) or clears a review flag on samples, as one undoable action; `sampleIds`: those whose flags changed. */
  setReviewFlag: {
    args: { datasetId: number; sampleIds: number[]; flag: ReviewFlag; on: boolean }
    result: UndoResult
  }
  /**
   * A free-text note on a sample; an empty note removes it. Undoable; the saves of one edit (the
   * field saves as you pause typing) are one undo step.
   */
  setNote: { args: { sampleId: number; note: string }; result: UndoResult & { sampleId: number; note: string } }
  /** Sets each sample to the label the ranking suggests for it, as one undoable action; samples without a suggestion are left. */
  acceptSuggestions: { args: { datasetId: number; sampleIds: number[] }; result: UndoResult }
  /**
   * Keeps one sample of its duplicate group and marks every other member exclude (clearing exclude
   * on the kept one), as one undoable action that the exports follow like any exclude mark.
   */
  keepDuplicate: { args: { datasetId: number; sampleId: number }; result: UndoResult }
  /**
   * "More like this" (issue 17): the k faces of the sample's dataset nearest to it by the model's
   * embedding (default model: the ranking's), most similar first, itself and identical files left out.
   */
  moreLikeThis: { args: { sampleId: number; k?: number; modelId?: string }; result: SimilarFaces }
  /**
   * The dataset's faces on a 2-D map of the model's embeddings (issue 17), computed on first request
   * and stored until a run changes the embeddings. Binary arrays travel as base64 to stay compact.
   */
  getEmbeddingMap: { args: { datasetId: number; modelId?: string; method?: MapLayout }; result: EmbeddingMap }
}

/** Why a model's embeddings are not there, when some are not: said the same way by every request. */
export interface EmbeddingCoverage {
  modelId: string
  /** Samples with an embedding by the model. */
  embeddings: number
  /** Samples with a prediction by the model but no embedding (a run from before the model gave one). */
  missing: number
  /** What to do about missing embeddings, in words; null when nothing is missing. */
  note: string | null
}

export interface SimilarFaces extends EmbeddingCoverage {
  sampleId: number
  /** Cosine similarity in [-1, 1], rounded to 4 decimals. */
  neighbours: { sampleId: number; similarity: number }[]
}

/** Where a dataset's UMAP layout stands (the map answers PCA until it is ready). */
export type UmapStatus =
  | { state: 'ready' }
  | { state: 'computing'; done: number; total: number }
  | { state: 'not computed' }
  | { state: 'unavailable' | 'failed'; reason: string }

export type MapLayout = 'pca' | 'umap'

export interface EmbeddingMap extends EmbeddingCoverage {
  /** The layout answered: PCA while a UMAP asked for is not ready. */
  method: MapLayout
  umap: UmapStatus
  /** Base64 of int32 little-endian sample ids. */
  sampleIds: string
  /** Base64 of float32 little-endian x, y per sample (same order), each axis scaled to [-1, 1]. */
  coords: string
  computedAt: string
  /** Per-face colour codes (label, prediction, issue score, split) in the same order, read at each request. */
  colours: MapColours
}

export type RequestName = keyof ApiRequests
export type RequestArgs<N extends RequestName> = ApiRequests[N]['args']
export type RequestResult<N extends RequestName> = ApiRequests[N]['result']

export interface ApiEvents {
  scanProgress: ScanProgress
  /** Review decisions on these samples changed (label, mark or note, undo and redo included): re-read their rows. */
  labelsChanged: { datasetId: number; sampleIds: number[]; samples?: Sample[] }
  datasetChanged: { datasetId: number }
  /**
   * The duplicate search that runs after an open (issue 19) ended: 'done' (with `grouped` when the
   * groups were computed again: re-read the grid), 'cancelled' (the next open finishes it), or
   * 'failed' with the reason.
   */
  duplicatesSearched: { datasetId: number; outcome: 'done' | 'cancelled' | 'failed'; grouped: boolean; message?: string }
  inferenceProgress: InferenceJobStatus
  /** A dataset's labels were ranked again (after a run, or on request). */
  labelIssuesRanked: RankingSummary
  /**
   * Made by the browser transport itself, never sent by the main side: its event stream was cut
   * (the server dropped a client that fell behind, a tunnel or network blip) and has reconnected,
   * so events between were lost and what the page shows must be re-read. IPC loses none.
   */
  eventsMissed: { reason: string }
}
export type EventName = keyof ApiEvents

/** The implementation table the main side provides. */
export type ApiHandlers = { [N in RequestName]: (args: RequestArgs<N>) => Promise<RequestResult<N>> }

/** Names of all requests, for transports that register one route per request. */
export const REQUEST_NAMES = [
  'getAppInfo',
  'listDatasets',
  'openDataset',
  'cancelScan',
  'getDataset',
  'listProblems',
  'querySamples',
  'getSample',
  'locateSample',
  'setLabel',
  'getUndoState',
  'undo',
  'redo',
  'exportLabels',
  'suggestExportPath',
  'extractFaces',
  'listFormats',
  'detectFormat',
  'getDatasetFormat',
  'listModels',
  'addModel',
  'startInference',
  'cancelInference',
  'getInferenceJob',
  'getPrediction',
  'rankLabelIssues',
  'declareOutOfSample',
  'getReviewMetrics',
  'getSampleReview',
  'setReviewFlag',
  'setNote',
  'acceptSuggestions',
  'keepDuplicate',
  'moreLikeThis',
  'getEmbeddingMap'
] as const satisfies readonly RequestName[]

/** The events the main side sends (eventsMissed is the browser transport's own). */
export const EVENT_NAMES = [
  'scanProgress',
  'labelsChanged',
  'datasetChanged',
  'duplicatesSearched',
  'inferenceProgress',
  'labelIssuesRanked'
] as const satisfies readonly Exclude<EventName, 'eventsMissed'>[]

/** Image variants the main side serves by sample id. */
export type ImageKind = 'thumb' | 'full'

/**
 * Errors cross both transports as `{ code, message }` so the renderer can react to a code
 * (e.g. ask before overwriting) and show the message as it is.
 */
export type ApiErrorCode = 'not_found' | 'bad_request' | 'exists' | 'outside_root' | 'internal'

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** For a bad_request from argument checking: the wrong field (`filter.split`), so a client can point at it. */
    readonly field?: string
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** What the renderer holds: the requests, event subscription and image URLs. */
export interface PokerFaceClient {
  call<N extends RequestName>(name: N, args: RequestArgs<N>): Promise<RequestResult<N>>
  /** Returns the function that unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void
  imageUrl(kind: ImageKind, sampleId: number): string
  /** A generated image (poker face, maps…) of a sample by a model. */
  modelImageUrl(modelId: string, kind: ModelImageKind, sampleId: number): string
  /** A native folder picker where the transport has one (Electron); null in a browser. */
  pickFolder: (() => Promise<string | null>) | null
  /**
   * Commands from the application menu, where there is one (Electron; a browser tab has none).
   * Returns the function that unsubscribes.
   */
  onMenuCommand?: (listener: (command: MenuCommand) => void) => () => void
  transport: 'ipc' | 'http'
}
