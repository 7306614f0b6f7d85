import { ApiError, type ApiHandlers, type RequestArgs } from '@shared/api'
import { EMOTIONS } from '@shared/emotions'
import { formatSpecs } from '@shared/formats'
import { describeFormat } from '@shared/formats/info'
import type { ExportResult } from '@shared/types'
import { exportSourceFormat } from '../datasets/exportSource'
import { probeAndDetect } from '../datasets/probe'
import { changeLogCsv, provenanceCsv, provenanceJson } from '../datasets/provenance'
import { resolveDatasetRoot } from '../datasets/scan'
import { exists, writeFileAtomic } from '../fsutil'
import { nowIso } from '../store/db'
import { datasetRoot, getDatasetSummary } from '../store/datasets'
import { changeLog, exportRows, getDatasetFormat } from '../store/sources'
import type { AppContext } from './context'

type FormatHandlers = Pick<ApiHandlers, 'listFormats' | 'detectFormat' | 'getDatasetFormat'>

/** How a dataset was read; datasets opened before formats existed read as ImageFolder. */
export function datasetFormatInfo(ctx: AppContext, datasetId: number, modelClasses: string[] = [...EMOTIONS]) {
  const stored = getDatasetFormat(ctx.db, datasetId) ?? {
    format: 'imagefolder' as const,
    options: {},
    chosenBy: 'detection' as const,
    detected: null,
    classes: []
  }
  return describeFormat(stored, modelClasses)
}

export function createFormatHandlers(ctx: AppContext): FormatHandlers {
  return {
    async listFormats() {
      return formatSpecs()
    },

    async detectFormat({ root }) {
      return probeAndDetect(await resolveDatasetRoot(root))
    },

    async getDatasetFormat({ datasetId, modelClasses }) {
      if (datasetRoot(ctx.db, datasetId) === null) {
        throw new ApiError('not_found', `No dataset with id ${datasetId}. Open its folder again.`)
      }
      return datasetFormatInfo(ctx, datasetId, modelClasses)
    }
  }
}

/** The export formats added with dataset formats; the service keeps 'csv' and 'imagefolder'. */
export const FORMAT_EXPORTS = ['source', 'provenance-csv', 'provenance-json', 'changelog-csv'] as const

export const FORMAT_EXPORT_SUFFIX: Record<(typeof FORMAT_EXPORTS)[number], string> = {
  source: '', // a folder mirroring the dataset's label files
  'provenance-csv': '-provenance.csv',
  'provenance-json': '-provenance.json',
  'changelog-csv': '-changes.csv'
}

export function isFormatExport(format: unknown): format is (typeof FORMAT_EXPORTS)[number] {
  return (FORMAT_EXPORTS as readonly unknown[]).includes(format)
}

/** Exports in the source format (a folder) or with provenance (one file); atomic, with backups. `path` is absolute (the service checked). */
export async function exportWithFormats(
  ctx: AppContext,
  root: string,
  { datasetId, format, path, overwrite }: RequestArgs<'exportLabels'>
): Promise<ExportResult> {
  if (format === 'source') return exportSourceFormat(ctx.db, datasetId, root, path, overwrite === true)
  if (!overwrite && (await exists(path))) {
    throw new ApiError('exists', `${path} already exists. Choose another name, or confirm to replace it (a backup is kept).`)
  }
  const rows = exportRows(ctx.db, datasetId)
  const summary = getDatasetSummary(ctx.db, datasetId)
  let content: string
  let written = rows.length
  if (format === 'provenance-csv') content = provenanceCsv(rows)
  else if (format === 'changelog-csv') {
    const entries = changeLog(ctx.db, datasetId)
    content = changeLogCsv(entries)
    written = entries.length
  } else {
    content = provenanceJson({
      dataset: { root, name: summary?.name ?? root },
      format: datasetFormatInfo(ctx, datasetId),
      exportedAt: nowIso(),
      rows,
      changes: changeLog(ctx.db, datasetId)
    })
  }
  const { backupPath } = await writeFileAtomic(path, content, { keepBackup: true })
  return {
    path,
    rows: written,
    changed: rows.filter((r) => r.originalLabel !== r.currentLabel).length,
    backupPath,
    files: [path],
    backups: backupPath ? [backupPath] : []
  }
}
