import type { Label } from './emotions'
import type { Split } from './splits'

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
}

export interface Sample {
  id: number
  relPath: string
  split: Split | null
  originalLabel: Label | null
  currentLabel: Label | null
  size: number
}

export interface SampleDetail extends Sample {
  contentHash: string
  history: LabelEvent[]
  flags: string[]
  /** Where the label was read from a label file (null for ImageFolder samples). */
  source?: SampleSource | null
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
  durationMs: number
}

/** Grid filters. Absent fields do not filter. `null` in a label filter means "unlabelled". */
export interface SampleFilter {
  currentLabel?: Label | null
  originalLabel?: Label | null
  split?: Split | null
  changedOnly?: boolean
}

export interface SamplePage {
  total: number
  offset: number
  samples: Sample[]
}

/**
 * 'source': the dataset's own label files, changed lines rewritten (into a folder, mirroring the
 * dataset); 'provenance-csv' / 'provenance-json': every sample with old and new label, when, by
 * what, from which file line; 'changelog-csv': every label event.
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
}

export interface UndoResult {
  /** Samples whose label moved; empty when there was nothing to undo/redo. */
  sampleIds: number[]
  canUndo: boolean
  canRedo: boolean
}

export interface ScanProgress {
  root: string
  phase: 'listing' | 'reading' | 'saving' | 'done'
  done: number
  total: number
}
