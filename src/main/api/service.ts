import { isAbsolute, join } from 'node:path'
import { ApiError, type ApiHandlers } from '@shared/api'
import type { DatasetSummary, ExportFormat, SampleSort } from '@shared/types'
import { imageFolderListing, labelsCsv, isChanged } from '../datasets/exportFormats'
import { resolveDatasetRoot, scanDataset } from '../datasets/scan'
import { exists, timestamp, writeFileAtomic } from '../fsutil'
import { datasetRoot, getDatasetSummary, listDatasetIds } from '../store/datasets'
import { getUndoState, labelHistory, redo, setLabels, undo } from '../store/labels'
import { allSamples, getSampleRow, listProblems, querySamples, sampleFlags, sampleSource } from '../store/samples'
import type { AppContext } from './context'
import { createFormatHandlers, datasetFormatInfo, exportWithFormats, FORMAT_EXPORT_SUFFIX, isFormatExport } from './formats'
import { facePhotoLink } from '../vision/faces/links'
import { createFaceHandlers } from './faces'
import { createInferenceHandlers } from './inference'
import { createReviewHandlers } from './review'

const MAX_PAGE = 2000

function summaryOrThrow(ctx: AppContext, datasetId: number): DatasetSummary {
  const summary = getDatasetSummary(ctx.db, datasetId)
  if (!summary) throw new ApiError('not_found', `No dataset with id ${datasetId}. Open its folder again.`)
  return summary
}

const SORT_KEYS = new Set(['path', 'likelyWrong', 'selfConfidence', 'margin', 'intensityMismatch'])

function checkSort(sort: unknown): SampleSort | undefined {
  if (sort === undefined || sort === null) return undefined
  const s = sort as SampleSort
  if (typeof s !== 'object' || !SORT_KEYS.has(s.by)) throw new ApiError('bad_request', `Unknown sort: ${JSON.stringify(sort)}`)
  return { by: s.by, reverse: s.reverse === true }
}

function checkId(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new ApiError('bad_request', `${what} must be a whole number`)
  return value as number
}

const EXPORT_EXTENSIONS: Record<ExportFormat, string> = { csv: '.csv', imagefolder: '.tsv', ...FORMAT_EXPORT_SUFFIX }

/** The one implementation of the API contract. Transports call these and nothing else. */
export function createApiHandlers(ctx: AppContext): ApiHandlers {
  const { db } = ctx
  return {
    ...createInferenceHandlers(ctx),
    ...createFormatHandlers(ctx),
    ...createReviewHandlers(ctx),
    ...createFaceHandlers(ctx),
    async getAppInfo() {
      return {
        productName: 'PokerFace Studio',
        version: ctx.version,
        dataDir: ctx.dataDir,
        startupDatasetId: ctx.startupDatasetId
      }
    },

    async listDatasets() {
      return listDatasetIds(db)
        .map((id) => getDatasetSummary(db, id))
        .filter((s): s is DatasetSummary => s !== null)
    },

    async openDataset({ root, format, options }) {
      const resolved = await resolveDatasetRoot(String(root ?? ''))
      const { datasetId, report } = await scanDataset(db, resolved, (p) => ctx.events.emit('scanProgress', p), {
        format,
        options
      })
      ctx.events.emit('datasetChanged', { datasetId })
      return { dataset: summaryOrThrow(ctx, datasetId), report, format: datasetFormatInfo(ctx, datasetId) }
    },

    async getDataset({ datasetId }) {
      return summaryOrThrow(ctx, checkId(datasetId, 'datasetId'))
    },

    async listProblems({ datasetId }) {
      summaryOrThrow(ctx, checkId(datasetId, 'datasetId'))
      return listProblems(db, datasetId)
    },

    async querySamples({ datasetId, filter, offset, limit, sort }) {
      checkId(datasetId, 'datasetId')
      const safeLimit = Math.min(checkId(limit, 'limit'), MAX_PAGE)
      return querySamples(db, datasetId, filter ?? {}, checkId(offset, 'offset'), safeLimit, checkSort(sort))
    },

    async getSample({ sampleId }) {
      const row = getSampleRow(db, checkId(sampleId, 'sampleId'))
      if (!row) throw new ApiError('not_found', `No sample with id ${sampleId}`)
      const { datasetId, ...sample } = row
      const root = datasetRoot(db, datasetId)
      return {
        ...sample,
        history: labelHistory(db, sampleId),
        flags: sampleFlags(db, sampleId),
        source: sampleSource(db, sampleId),
        photo: root ? await facePhotoLink(root, sample.relPath) : null
      }
    },

    async setLabel({ datasetId, sampleIds, label }) {
      checkId(datasetId, 'datasetId')
      if (!Array.isArray(sampleIds) || sampleIds.length === 0) throw new ApiError('bad_request', 'No samples selected')
      sampleIds.forEach((id) => checkId(id, 'sampleId'))
      if (label !== null && (typeof label !== 'string' || label.trim() === '')) {
        throw new ApiError('bad_request', 'A label must be a class name or null (unlabelled)')
      }
      let result
      try {
        result = setLabels(db, datasetId, sampleIds, label)
      } catch (err) {
        throw new ApiError('bad_request', (err as Error).message)
      }
      if (result.sampleIds.length) ctx.events.emit('labelsChanged', { datasetId, sampleIds: result.sampleIds })
      return result
    },

    async getUndoState({ datasetId }) {
      return getUndoState(db, checkId(datasetId, 'datasetId'))
    },

    async undo({ datasetId }) {
      const result = undo(db, checkId(datasetId, 'datasetId'))
      if (result.sampleIds.length) ctx.events.emit('labelsChanged', { datasetId, sampleIds: result.sampleIds })
      return result
    },

    async redo({ datasetId }) {
      const result = redo(db, checkId(datasetId, 'datasetId'))
      if (result.sampleIds.length) ctx.events.emit('labelsChanged', { datasetId, sampleIds: result.sampleIds })
      return result
    },

    async suggestExportPath({ datasetId, format }) {
      const summary = summaryOrThrow(ctx, checkId(datasetId, 'datasetId'))
      const safeName = summary.name.replace(/[^\p{L}\p{N}._-]+/gu, '_')
      return join(ctx.dataDir, 'exports', `${safeName}-labels-${timestamp()}${EXPORT_EXTENSIONS[format] ?? '.csv'}`)
    },

    async exportLabels({ datasetId, format, path, overwrite }) {
      checkId(datasetId, 'datasetId')
      if (typeof path !== 'string' || !isAbsolute(path))
        throw new ApiError('bad_request', 'Export path must be an absolute file path')
      if (format !== 'csv' && format !== 'imagefolder' && !isFormatExport(format))
        throw new ApiError('bad_request', `Unknown export format: ${format}`)
      const root = datasetRoot(db, datasetId)
      if (!root) throw new ApiError('not_found', `No dataset with id ${datasetId}`)
      if (isFormatExport(format)) return exportWithFormats(ctx, root, { datasetId, format, path, overwrite })
      if (!overwrite && (await exists(path))) {
        throw new ApiError('exists', `${path} already exists. Choose another name, or confirm to replace it (a backup is kept).`)
      }
      const samples = allSamples(db, datasetId)
      const content = format === 'csv' ? labelsCsv(samples) : imageFolderListing(samples)
      const { backupPath } = await writeFileAtomic(path, content, { keepBackup: true })
      return { path, rows: samples.length, changed: samples.filter(isChanged).length, backupPath }
    }
  }
}
