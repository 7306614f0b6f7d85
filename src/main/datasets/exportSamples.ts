import { splitCleaned, type LeftOutCounts } from '@shared/cleaned'
import type { Db } from '../store/db'
import { datasetDecisions, decisionsOf, type SampleDecisions } from '../store/decisions'
import { exportRows, labelRows, type ExportRow, type LabelRow } from '../store/sources'

/**
 * Every sample as the exports see it: its label and where it came from (ExportRow) and every
 * review decision on it (SampleDecisions). All export formats read the decisions from one place
 * (datasetDecisions), so a decision added to the review reaches every export or none — never some
 * (issue #16: marks and notes once reached none while the Metrics tab counted them).
 */
export type ExportSample = ExportRow & SampleDecisions

/** The cleaned exports read the labels alone (issue 19: the sources and scores of 1M rows are not needed to leave some out). */
export type CleanedSample = LabelRow & SampleDecisions

/** Decisions laid onto the rows SQLite just made (nothing else holds them): a spread into new objects cost ~70 s at 1M. */
function withDecisions<R extends { id: number }>(db: Db, datasetId: number, rows: R[]): (R & SampleDecisions)[] {
  const decisions = datasetDecisions(db, datasetId)
  return rows.map((r) => Object.assign(r, decisionsOf(decisions, r.id)))
}

export function exportSamples(db: Db, datasetId: number): ExportSample[] {
  return withDecisions(db, datasetId, exportRows(db, datasetId))
}

/**
 * What a cleaned export writes: the images on disk (a missing image has nothing to write and no
 * place in the Metrics tab either), less those marked exclude or not a face, and how many that was.
 */
export function cleanedSamples<T extends CleanedSample>(samples: readonly T[]): { kept: T[]; leftOut: LeftOutCounts } {
  return splitCleaned(samples.filter((s) => s.status === 'present'))
}

/** cleanedSamples of the dataset, read with the labels alone. */
export function cleanedDataset(db: Db, datasetId: number): { kept: CleanedSample[]; leftOut: LeftOutCounts } {
  return cleanedSamples(withDecisions(db, datasetId, labelRows(db, datasetId)))
}
