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

export type ExportFormat = 'csv' | 'imagefolder'

export interface ExportResult {
  path: string
  rows: number
  changed: number
  /** Where the file that was replaced now lives, when overwrite was asked for. */
  backupPath: string | null
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
