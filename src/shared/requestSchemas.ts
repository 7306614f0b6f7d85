/**
 * The arguments of every request in `ApiRequests`, as schemas the transports check once, at the
 * edge, before a handler runs. A request from a script or a hostile page may carry anything
 * (`{sampleId: {a: 1}}`, `null`, a NUL in a path); it is answered 400 naming the wrong field,
 * and the handlers behind the edge trust their arguments. The `satisfies` clause below ties each
 * schema to the request table, so a field added to `ApiRequests` without its schema breaks the build.
 */
import { z } from 'zod'
import { DUPLICATE_FILTERS } from './duplicates'
import { ApiError, type RequestArgs, type RequestName } from './api'
import { FERPLUS_MODES, FORMAT_IDS } from './formats/types'
import { labelProblem } from './labels'
import { modelIdProblem } from './modelId'
import { SPLITS } from './splits'
import { MAX_FILTER_IDS, REVIEW_FLAGS, SAMPLE_SORT_KEYS, type ExportFormat, type InSampleFilter } from './types'
import type { ProviderName } from './inference'

/** Database ids and counts: JSON numbers that SQLite can take exactly. */
const id = z.int({ error: 'must be a whole number' }).min(0, { error: 'must be 0 or more' })

/** A path as typed or picked: text, and never a NUL (which Node refuses with an internal error). */
const path = z
  .string({ error: 'must be a path (text)' })
  .max(4096, { error: 'is longer than any path a file system takes' })
  .refine((p) => !p.includes('\0'), { error: 'cannot hold a NUL character' })

/** The one definition of a label (src/shared/labels.ts), as a schema. */
export const labelSchema = z.string({ error: 'must be a class name (text)' }).superRefine((value, ctx) => {
  const problem = labelProblem(value)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
})

/** The one definition of a model id (src/shared/modelId.ts), as a schema. */
const modelId = z.string({ error: 'must be a model id (text)' }).superRefine((value, ctx) => {
  const problem = modelIdProblem(value)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
})

const split = z.enum(SPLITS)
const reviewFlag = z.enum(REVIEW_FLAGS)
const sortKey = z.enum(SAMPLE_SORT_KEYS)
const exportFormat = z.enum([
  'csv',
  'imagefolder',
  'source',
  'provenance-csv',
  'provenance-json',
  'changelog-csv'
] as const satisfies readonly ExportFormat[])
const provider = z.enum(['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'] as const satisfies readonly ProviderName[])

const column = z.union([z.string().max(1000), id])
const formatOptions = z.object({
  labelFiles: z.array(path).max(1000).optional(),
  ferplusMode: z.enum(FERPLUS_MODES).optional(),
  ferplusVotes: z.enum(['label.csv', 'fer2013new.csv']).optional(),
  rafdbImages: z.enum(['aligned', 'original']).optional(),
  imagePrefix: path.optional(),
  delimiter: z.string().min(1).max(4).optional(),
  hasHeader: z.boolean().optional(),
  pathColumn: column.optional(),
  labelColumn: column.optional(),
  splitColumn: column.optional(),
  // Class names as the dataset writes them; each becomes a label only after the reader checks it.
  classes: z.array(z.string().max(1000)).max(10_000).optional()
})

const sampleFilter = z.object({
  currentLabel: labelSchema.nullable().optional(),
  originalLabel: labelSchema.nullable().optional(),
  split: split.nullable().optional(),
  changedOnly: z.boolean().optional(),
  flaggedOnly: z.boolean().optional(),
  reviewed: z.boolean().optional(),
  predictedLabel: labelSchema.optional(),
  flag: reviewFlag.optional(),
  inSample: z.enum(['yes', 'no', 'unknown'] as const satisfies readonly InSampleFilter[]).optional(),
  duplicates: z.enum(DUPLICATE_FILTERS).optional(),
  odd: z.boolean().optional(),
  // Checked here so SQLite never receives a 1M-element JSON list from one request.
  sampleIds: z
    .array(id)
    .max(MAX_FILTER_IDS, { error: `names more than ${MAX_FILTER_IDS.toLocaleString('en')} samples` })
    .optional()
})

const sampleSort = z.object({ by: sortKey, reverse: z.boolean().optional() })

/** Selections come from a grid of at most a dataset; the cap keeps one request from naming millions. */
const sampleIds = z.array(id).min(1, { error: 'no samples selected' }).max(1_000_000)

export const MAX_NOTE_LENGTH = 10_000

const none = z.object({})
const dataset = z.object({ datasetId: id })
const sample = z.object({ sampleId: id })

export const REQUEST_SCHEMAS = {
  getAppInfo: none,
  listDatasets: none,
  openDataset: z.object({ root: path, format: z.enum([...FORMAT_IDS, 'auto']).optional(), options: formatOptions.optional() }),
  cancelScan: z.object({ root: path }),
  listFormats: none,
  detectFormat: z.object({ root: path }),
  getDatasetFormat: z.object({ datasetId: id, modelClasses: z.array(z.string().max(1000)).max(10_000).optional() }),
  getDataset: dataset,
  listProblems: dataset,
  querySamples: z.object({
    datasetId: id,
    filter: sampleFilter,
    offset: id,
    limit: id,
    sort: sampleSort.optional()
  }),
  getSample: sample,
  locateSample: z.object({ datasetId: id, filter: sampleFilter, sort: sampleSort.optional(), sampleId: id }),
  setLabel: z.object({ datasetId: id, sampleIds, label: labelSchema.nullable() }),
  getUndoState: dataset,
  undo: dataset,
  redo: dataset,
  exportLabels: z.object({ datasetId: id, format: exportFormat, path, overwrite: z.boolean() }),
  suggestExportPath: z.object({ datasetId: id, format: exportFormat }),
  extractFaces: z.object({ photos: path, out: path.optional() }),
  listModels: none,
  addModel: z.object({ folder: path.min(1, { error: 'no model folder given' }) }),
  startInference: z.object({
    datasetId: id,
    modelId: modelId.optional(),
    provider: provider.optional(),
    threads: z.int().min(1).max(256).optional(),
    batchSize: z.int().min(1).max(256).optional(),
    generate: z.boolean().optional(),
    split: split.optional()
  }),
  cancelInference: z.object({ jobId: id }),
  getInferenceJob: dataset,
  getPrediction: z.object({ sampleId: id, modelId: modelId.optional() }),
  rankLabelIssues: z.object({ datasetId: id, modelId: modelId.optional() }),
  declareOutOfSample: z.object({ datasetId: id, declared: z.boolean() }),
  getReviewMetrics: dataset,
  getSampleReview: sample,
  setReviewFlag: z.object({ datasetId: id, sampleIds, flag: reviewFlag, on: z.boolean() }),
  setNote: z.object({ sampleId: id, note: z.string({ error: 'must be text' }).max(MAX_NOTE_LENGTH) }),
  acceptSuggestions: z.object({ datasetId: id, sampleIds }),
  keepDuplicate: z.object({ datasetId: id, sampleId: id }),
  moreLikeThis: z.object({
    sampleId: id,
    k: z.int({ error: 'must be a whole number' }).min(1).max(1000).optional(),
    modelId: modelId.optional()
  }),
  getEmbeddingMap: z.object({ datasetId: id, modelId: modelId.optional(), method: z.enum(['pca', 'umap']).optional() })
} satisfies { [N in RequestName]: z.ZodType<RequestArgs<N>> }

/** `filter.split`, or `(arguments)` when the arguments as a whole are wrong (`null`, a list…). */
function fieldOf(issue: z.core.$ZodIssue): string {
  return issue.path.length ? issue.path.map(String).join('.') : '(arguments)'
}

/**
 * A request's arguments, checked against its schema; anything else is an ApiError('bad_request')
 * whose `field` names the first wrong field and whose message lists every one.
 */
export function checkRequestArgs<N extends RequestName>(name: N, raw: unknown): RequestArgs<N> {
  const parsed = REQUEST_SCHEMAS[name].safeParse(raw)
  if (parsed.success) return parsed.data as RequestArgs<N>
  const issues = parsed.error.issues
  const details = issues.map((i) => `${fieldOf(i)}: ${i.message}`).join('; ')
  throw new ApiError('bad_request', `Bad arguments for ${name}: ${details}`, fieldOf(issues[0]))
}
