import { isAbsolute, join } from 'node:path'
import { ApiError, type ApiHandlers } from '@shared/api'
import type { DatasetSummary, ExportFormat, ScanProgress } from '@shared/types'
import { imageFolderListing, labelsCsv, isChanged } from '../datasets/exportFormats'
import { RunningScans } from '../datasets/runningScans'
import { resolveDatasetRoot, scanDataset } from '../datasets/scan'
import { exists, timestamp, writeFileAtomic } from '../fsutil'
import { datasetRoot, getDatasetSummary, listDatasetIds } from '../store/datasets'
import { getUndoState, labelHistory, redo, setLabels, undo } from '../store/labels'
import { allSamples, getSampleRow, listProblems, querySamples, sampleFlags, sampleSource } from '../store/samples'
import { ownedSamples } from '../store/review'
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

const EXPORT_EXTENSIONS: Record<ExportFormat, string> = { csv: '.csv', imagefolder: '.tsv', ...FORMAT_EXPORT_SUFFIX }

/**
 * The one implementation of the API contract. Transports call these and nothing else, through
 * the edge (./edge.ts) that has already checked every argument against the request table.
 */
export function createApiHandlers(ctx: AppContext): ApiHandlers {
  const { db } = ctx
  // One set per process's handlers: cancelScan reaches the openDataset of any client.
  const scans = new RunningScans()
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
      const resolved = await resolveDatasetRoot(root)
      const onProgress = (p: ScanProgress): void => ctx.events.emit('scanProgress', p)
      const { datasetId, report } = await scans.run(resolved, (signal) =>
        scanDataset(db, resolved, onProgress, { format, options }, { signal })
      )
      ctx.events.emit('datasetChanged', { datasetId })
      return { dataset: summaryOrThrow(ctx, datasetId), report, format: datasetFormatInfo(ctx, datasetId) }
    },

    async cancelScan({ root }) {
      return { cancelled: scans.cancel(await resolveDatasetRoot(root)) }
    },

    async getDataset({ datasetId }) {
      return summaryOrThrow(ctx, datasetId)
    },

    async listProblems({ datasetId }) {
      summaryOrThrow(ctx, datasetId)
      return listProblems(db, datasetId)
    },

    async querySamples({ datasetId, filter, offset, limit, sort }) {
      return querySamples(db, datasetId, filter, offset, Math.min(limit, MAX_PAGE), sort)
    },

    async getSample({ sampleId }) {
      const row = getSampleRow(db, sampleId)
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
      // The label passed labelProblem at the edge; what is left to check needs the database.
      if (ownedSamples(db, datasetId, sampleIds).length !== new Set(sampleIds).size)
        throw new ApiError('bad_request', `Some samples do not belong to dataset ${datasetId}`)
      const result = setLabels(db, datasetId, sampleIds, label)
      if (result.sampleIds.length) ctx.events.emit('labelsChanged', { datasetId, sampleIds: result.sampleIds })
      return result
    },

    async getUndoState({ datasetId }) {
      return getUndoState(db, datasetId)
    },

    async undo({ datasetId }) {
      const result = undo(db, datasetId)
      if (result.sampleIds.length) ctx.events.emit('labelsChanged', { datasetId, sampleIds: result.sampleIds })
      return result
    },

    async redo({ datasetId }) {
      const result = redo(db, datasetId)
      if (result.sampleIds.length) ctx.events.emit('labelsChanged', { datasetId, sampleIds: result.sampleIds })
      return result
    },

    async suggestExportPath({ datasetId, format }) {
      const summary = summaryOrThrow(ctx, datasetId)
      const safeName = summary.name.replace(/[^\p{L}\p{N}._-]+/gu, '_')
      return join(ctx.dataDir, 'exports', `${safeName}-labels-${timestamp()}${EXPORT_EXTENSIONS[format] ?? '.csv'}`)
    },

    async exportLabels({ datasetId, format, path, overwrite }) {
      // Absolute is a rule of the machine main runs on (C:\ or /), so it is checked here, not in shared code.
      if (!isAbsolute(path)) throw new ApiError('bad_request', 'Export path must be an absolute file path', 'path')
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
