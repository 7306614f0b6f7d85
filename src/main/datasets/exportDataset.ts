import { ApiError } from '@shared/api'
import { spellingsOf } from '@shared/formats/classes'
import type { DatasetFormatInfo } from '@shared/formats/types'
import type { ExportFormat, ExportResult } from '@shared/types'
import { exists, writeFileAtomic } from '../fsutil'
import { sampleRow, sampleSource } from '../media/sampleSource'
import { outOfSampleDeclaredAt } from '../store/datasets'
import { nowIso, type Db } from '../store/db'
import { changeLog, getDatasetFormat, labelRows } from '../store/sources'
import { cleanedTreePlaces, isChanged, labelsCsv } from './exportFormats'
import { cleanedDataset, exportSamples } from './exportSamples'
import { exportSourceFormat } from './exportSource'
import { writeCleanedTree } from './exportTree'
import { changeLogCsv, provenanceCsv, provenanceJson } from './provenance'

/**
 * The one implementation of "export labels": every format the dialog and `pokerface export`
 * offer, from the samples and their review decisions as exportSamples.ts reads them. The
 * cleaned CSV and the cleaned ImageFolder tree leave out what the researcher marked exclude or
 * not a face, and say how many; the provenance exports keep every sample and every decision.
 */

export interface ExportedDataset {
  id: number
  root: string
  name: string
  /** How the dataset was read, for the provenance JSON (asked only when that is the format). */
  formatInfo: () => DatasetFormatInfo
}

/** What the suggested export path ends in, after `<dataset>-labels-<time>`. */
export const EXPORT_SUFFIX: Record<ExportFormat, string> = {
  csv: '-cleaned.csv',
  imagefolder: '-cleaned-imagefolder', // a folder
  source: '', // a folder mirroring the dataset's label files
  'provenance-csv': '-provenance.csv',
  'provenance-json': '-provenance.json',
  'changelog-csv': '-changes.csv'
}

async function cleanedTree(db: Db, dataset: ExportedDataset, path: string, overwrite: boolean): Promise<ExportResult> {
  const { kept, leftOut } = cleanedDataset(db, dataset.id)
  const stored = getDatasetFormat(db, dataset.id)
  const places = cleanedTreePlaces(kept, stored?.format ?? 'imagefolder', spellingsOf(stored?.classes ?? []))
  const images = places.map(({ sample, target }) => ({
    target,
    relPath: sample.relPath,
    source: sampleSource(db, sampleRow(db, sample.id))
  }))
  const { backupPath, ...counts } = await writeCleanedTree(dataset.root, path, overwrite, images)
  return {
    path,
    rows: kept.length,
    changed: kept.filter(isChanged).length,
    backupPath,
    backups: backupPath ? [backupPath] : [],
    leftOut,
    images: counts
  }
}

/** `path` is absolute (checked at the API edge). */
export async function exportDataset(
  db: Db,
  dataset: ExportedDataset,
  { format, path, overwrite }: { format: ExportFormat; path: string; overwrite: boolean }
): Promise<ExportResult> {
  if (format === 'source') return exportSourceFormat(db, dataset.id, dataset.root, path, overwrite)
  if (format === 'imagefolder') return cleanedTree(db, dataset, path, overwrite)
  if (!overwrite && (await exists(path))) {
    throw new ApiError('exists', `${path} already exists. Choose another name, or confirm to replace it (a backup is kept).`)
  }
  let content: string
  let result: Omit<ExportResult, 'path' | 'backupPath'>
  if (format === 'csv') {
    const { kept, leftOut } = cleanedDataset(db, dataset.id)
    content = labelsCsv(kept)
    result = { rows: kept.length, changed: kept.filter(isChanged).length, leftOut }
  } else if (format === 'changelog-csv') {
    const samples = labelRows(db, dataset.id)
    const entries = changeLog(db, dataset.id)
    content = changeLogCsv(entries)
    result = { rows: entries.length, changed: samples.filter(isChanged).length }
  } else {
    const samples = exportSamples(db, dataset.id)
    content =
      format === 'provenance-csv'
        ? provenanceCsv(samples)
        : provenanceJson({
            dataset: { root: dataset.root, name: dataset.name, outOfSampleDeclaredAt: outOfSampleDeclaredAt(db, dataset.id) },
            format: dataset.formatInfo(),
            exportedAt: nowIso(),
            rows: samples,
            changes: changeLog(db, dataset.id)
          })
    result = { rows: samples.length, changed: samples.filter(isChanged).length }
  }
  const { backupPath } = await writeFileAtomic(path, content, { keepBackup: true })
  return { path, ...result, backupPath, files: [path], backups: backupPath ? [backupPath] : [] }
}
