import type { Label } from './emotions'
import type { Split } from './splits'
import type { DuplicateFilter, SampleDuplicate } from './duplicates'

export interface DatasetSummary {
  id: number
  root: string
  name: string
  openedAt: string
  sampleCount: number
  labelledCount: number
  changedCount: number
  /** Files found but not usable (corrupt, empty, not an image…), with the reason. */
  problemCount: number
  /** Labels present in the dataset (original or current), in display order. */
  labels: Label[]
  splits: Split[]
  /** Present samples per split, for "Run on 3,579 images (valid)". */
  splitCounts: Partial<Record<Split, number>>
  /**
   * When the researcher declared that no model they run trained on this folder's images (a copy of
   * FER2013 test, which a model card cannot recognise by its folder); null when not declared.
   */
  outOfSampleDeclaredAt: string | null
}

export interface Sample {
  id: number
  relPath: string
  split: Split | null
  originalLabel: Label | null
  currentLabel: Label | null
  size: number
  /** The label-issue ranking's view of this sample (querySamples, where the dataset has a ranking). */
  review?: SampleReviewBrief
  /** Review marks (keep, not a face, ambiguous, exclude), with or without a ranking; absent when none. */
  marks?: ReviewFlag[]
  /** Its duplicate group, where it has exact or near duplicates in the dataset. */
  duplicate?: SampleDuplicate
}

export interface SampleDetail extends Sample {
  contentHash: string
  history: LabelEvent[]
  flags: string[]
  /** Where the label was read from a label file (null for ImageFolder samples). */
  source?: SampleSource | null
  /** For a face cropped from a photo by "Find faces": the photo and where in it. */
  photo?: FacePhotoLink | null
}

export interface FacePhotoLink {
  /** The photo's path relative to the photos folder the faces were found in. */
  photo: string
  /** 1-based, left to right. */
  face: number
  score: number
  /** x, y, width, height in the photo's pixels. */
  box: [number, number, number, number] | null
}

/** A sample's line in its dataset's label file, and what the file said there. */
export interface SampleSource {
  labelFile: string
  line: number
  /** The label as written: `5`, `happy`, FERPlus's ten votes `4,0,0,1,3,2,0,0,0,0`. */
  token: string
  /** Why the sample has no label although the file lists it (FERPlus no majority, AffectNet None…). */
  excluded: string | null
  /** FERPlus `votes` (ten counts, FERPlus column order), AffectNet `faceBox`, `valence`, `arousal`. */
  extras: Record<string, unknown>
}

export type LabelSource = 'user' | 'undo' | 'redo' | 'import'

export interface LabelEvent {
  id: number
  sampleId: number
  oldLabel: Label | null
  newLabel: Label | null
  source: LabelSource
  at: string
}

export interface ScanProblem {
  relPath: string
  /** 1-based line, when the problem is in a label file. */
  line?: number
  kind: 'error' | 'ignored'
  reason: string
}

export interface ScanReport {
  added: number
  removed: number
  changed: number
  unchanged: number
  problems: ScanProblem[]
  /** The scan's own time: until the samples are stored (the duplicate search after it is not counted). */
  durationMs: number
  /**
   * Set when nothing on disk had changed since the last whole scan (same files, sizes and times,
   * read the same way): that scan's reading was used as it is, and this is when it was made.
   */
  reusedScanOf?: string
}

/** Grid filters. Absent fields do not filter. `null` in a label filter means "unlabelled". */
export interface SampleFilter {
  currentLabel?: Label | null
  originalLabel?: Label | null
  split?: Split | null
  changedOnly?: boolean
  /** Only samples the label-issue ranking flags (confident learning). */
  flaggedOnly?: boolean
  /** true: only reviewed samples; false: only those not reviewed yet (see SampleReview.reviewed). */
  reviewed?: boolean
  /** The class the ranked model predicts (a confusion-matrix cell is currentLabel × predictedLabel). */
  predictedLabel?: Label
  /** Only samples carrying this review flag. */
  flag?: ReviewFlag
  /** Whether the ranked model trained on the face: 'yes' in-sample only, 'no' out-of-sample only, 'unknown' neither known. */
  inSample?: InSampleFilter
  /**
   * The duplicates queue (issue 17): only samples in a duplicate group ('leakage': groups across
   * splits; 'disagree': groups whose labels differ), group by group whatever the sort.
   */
  duplicates?: DuplicateFilter
  /**
   * The odd-images queue (issue 17 item 2): only samples whose odd-image score reaches
   * ODD_QUEUE_MIN (main/review/oddness.ts), highest score first whatever the sort.
   */
  odd?: boolean
  /**
   * Only these samples, in this order whatever the sort (issue 17: "more like this" most similar
   * first, a lasso on the map). At most MAX_FILTER_IDS; the other filters still apply on top.
   */
  sampleIds?: number[]
}

/** The most ids one `sampleIds` filter names: a lasso over a large map is cut to this by the renderer. */
export const MAX_FILTER_IDS = 100_000

export type InSampleFilter = 'yes' | 'no' | 'unknown'

/**
 * Grid order. Every key but 'path' sorts most-likely-wrong first: 'likelyWrong' by the default
 * "most likely wrong" score (1 − self-confidence, the best measured), 'combined' by margin mixed with
 * the poker-face mismatch, 'selfConfidence' and 'margin' lowest first, 'intensityMismatch' highest
 * first, 'neighbours' by the share of nearest neighbours labelled otherwise, highest first, 'odd' by
 * the odd-image score (not a usable face), highest first and regardless of in-sample. Samples the ranking cannot judge come last, and in-sample ones (the model trained on them,
 * so their scores say little) after out-of-sample and unknown ones. `reverse` flips the order within
 * those groups, not where the groups come.
 */
export const SAMPLE_SORT_KEYS = [
  'path',
  'likelyWrong',
  'combined',
  'selfConfidence',
  'margin',
  'intensityMismatch',
  'neighbours',
  'odd'
] as const
export type SampleSortKey = (typeof SAMPLE_SORT_KEYS)[number]
export interface SampleSort {
  by: SampleSortKey
  reverse?: boolean
}

export interface SamplePage {
  total: number
  offset: number
  /**
   * The most rows this page could hold: the limit asked for, cut to MAX_PAGE_ROWS (2,000). A page
   * shorter than asked for before `total` is reached was capped: ask again from offset + limit.
   */
  limit: number
  /** true when the limit asked for was above MAX_PAGE_ROWS and was cut to it. */
  capped: boolean
  samples: Sample[]
}

/** The most rows one querySamples page answers (a bigger limit is cut to it, and the page says so). */
export const MAX_PAGE_ROWS = 2000

/**
 * 'csv': the cleaned labels (one row per image, without those marked exclude or not a face);
 * 'imagefolder': the cleaned dataset as an ImageFolder tree in a new folder (hard links, else
 * copies); 'source': the dataset's own label files, changed lines rewritten (into a folder,
 * mirroring the dataset; for an ImageFolder dataset, a listing of moves); 'provenance-csv' /
 * 'provenance-json': every sample with old and new label, when, by what, from which file line,
 * and every review decision; 'changelog-csv': every label event.
 */
export type ExportFormat = 'csv' | 'imagefolder' | 'source' | 'provenance-csv' | 'provenance-json' | 'changelog-csv'

export interface ExportResult {
  path: string
  rows: number
  changed: number
  /** Where the file that was replaced now lives, when overwrite was asked for. */
  backupPath: string | null
  /** Every file written (a source-format export may write several), and the backups of those replaced. */
  files?: string[]
  backups?: string[]
  /** Samples left out because their label was removed and the format cannot say "no label". */
  dropped?: number
  /** Cleaned exports (csv, imagefolder): samples left out by a review mark, by mark (each counted once). */
  leftOut?: { excluded: number; notAFace: number }
  /** ImageFolder tree: images hard-linked, copied (no links on that disk), written from pixels (FER2013 CSV rows). */
  images?: { linked: number; copied: number; written: number }
}

export interface UndoResult {
  /** Samples the action changed (label, mark or note); empty when nothing changed. */
  sampleIds: number[]
  canUndo: boolean
  canRedo: boolean
  /** The action done, undone or redone; null when nothing changed. */
  step: ReviewStep | null
  /**
   * The grid rows after the action of the changed samples and of the other members of their
   * duplicate groups (their badges follow the group's labels), for a window to patch its loaded
   * pages with instead of fetching them again; absent past CHANGED_ROWS_LIMIT rows (re-read those).
   */
  samples?: Sample[]
}

/** A decision on more samples than this announces their ids only; the rows are re-read. */
export const CHANGED_ROWS_LIMIT = 500

/** One step of the review's undo history: a key press, a bulk action, or one note edit. */
export interface ReviewStep {
  /** What the action did, in words: "marked happy/h2.png not-a-face", "labelled 12 samples anger". */
  summary: string
  /** The sample the review shows when the step is undone or redone: the action's first. */
  sampleId: number
}

export interface ScanProgress {
  root: string
  /**
   * The duplicate search (issue 17), after the scan is stored: 'fingerprinting' decodes new images,
   * 'comparing' looks for near duplicates among them all (see isDuplicateSearch).
   */
  phase: 'listing' | 'reading' | 'saving' | 'fingerprinting' | 'comparing' | 'done'
  done: number
  total: number
}

/** Whether a scan progress belongs to the duplicate search that runs behind an open. */
export function isDuplicateSearch(progress: ScanProgress | null | undefined): boolean {
  return progress?.phase === 'fingerprinting' || progress?.phase === 'comparing'
}

/**
 * Review decisions besides labels: 'keep' (checked, the label is right), 'not_a_face',
 * 'ambiguous' (no single label fits), 'exclude' (leave out of the cleaned dataset); in the one
 * order every view lists them in.
 */
export const REVIEW_FLAGS = ['keep', 'not_a_face', 'ambiguous', 'exclude'] as const
export type ReviewFlag = (typeof REVIEW_FLAGS)[number]

export interface SampleReviewBrief {
  /** Combined "most likely wrong" score, 0..1; null when the label cannot be judged. */
  score: number | null
  flagged: boolean
  suggestedLabel: Label | null
  reviewed: boolean
  /** true: the model did not train on this image; false: it did (in-sample); null: unknown. */
  outOfSample: boolean | null
}

/** One sample's label-issue scores from the dataset's ranking (see src/main/review/ranking.ts). */
export interface LabelIssueScores {
  modelId: string
  /** The label that was judged: the current label when the ranking ran. */
  givenLabel: Label | null
  predictedLabel: Label
  selfConfidence: number | null
  margin: number | null
  /** Confident-learning class, if any reaches its threshold. */
  confidentLabel: Label | null
  suggestedLabel: Label | null
  flagged: boolean
  /** PF-ViT: mean |face − poker face| (0..1); null without a poker face. */
  intensity: number | null
  intensityMismatch: number | null
  /** Margin mixed with the poker-face mismatch (0..1, high = likely wrong); the grid's order before issue 16. */
  combined: number | null
  /** Most likely wrong (0..1): 1 − self-confidence, the grid's default order. */
  score: number | null
  /**
   * Share of the face's nearest neighbours by embedding (issue 17) labelled otherwise (0..1, high =
   * likely wrong); null without embeddings, a label, or labelled neighbours.
   */
  neighbourDisagreement?: number | null
  /**
   * Odd-image score (issue 17 item 2, review/oddness.ts): high = likely not a usable face (blank,
   * not a face, a graphic); null without embeddings. Computed for every predicted sample, labelled or not.
   */
  oddness?: number | null
  /** true: the model did not train on this image; false: it did; null: unknown. */
  outOfSample: boolean | null
}

export interface SampleReview {
  sampleId: number
  issue: LabelIssueScores | null
  note: string
  flags: ReviewFlag[]
  /**
   * Reviewed = the researcher decided on it: a label change of theirs that is not undone, or a
   * review flag (keep, not a face, ambiguous, exclude).
   */
  reviewed: boolean
}

export interface RankingSummary {
  datasetId: number
  modelId: string
  rankedAt: string
  classes: string[]
  /** Confident-learning threshold per class, in the model's class order; null where no sample is labelled so. */
  thresholds: (number | null)[]
  thresholdsFrom: 'out-of-sample' | 'mixed' | 'all'
  /** Samples with a prediction; of them, those whose label could be judged, and those flagged. */
  predicted: number
  scored: number
  flagged: number
  /** Judged samples by whether the model trained on them. */
  outOfSample: { out: number; in: number; unknown: number }
  /** What the model card says it trained on, and what that means for this dataset. */
  trainingData: string | null
  overlap: string
  /** How long ranking took: reading predictions, scoring, writing every sample's scores. */
  durationMs: number
}

export interface ReviewMetrics {
  ranking: RankingSummary | null
  progress: { flagged: number; reviewed: number }
  /** Rows: current labels; columns: predicted classes; only samples with both. */
  confusion: { rows: Label[]; columns: Label[]; counts: number[][] }
  perClass: { label: Label; precision: number | null; recall: number | null; support: number; predicted: number }[]
  /** Per label: original labels, current labels, and current labels without excluded and not-a-face samples. */
  distribution: { label: Label; original: number; current: number; cleaned: number }[]
}
