import { isAbsolute, join } from 'node:path'
import { ApiError, type ApiHandlers } from '@shared/api'
import type { DatasetSummary, ScanProgress } from '@shared/types'
import { exportDataset, EXPORT_SUFFIX } from '../datasets/exportDataset'
import { RunningScans } from '../datasets/runningScans'
import { resolveDatasetRoot, scanDataset } from '../datasets/scan'
import { timestamp } from '../fsutil'
import { datasetRoot, getDatasetSummary, listDatasetIds } from '../store/datasets'
import { datasetIdForRoot } from '../store/sources'
import { labelHistory } from '../store/labels'
import { getSampleRow, listProblems, querySamples, sampleFlags, sampleSource } from '../store/samples'
import type { AppContext } from './context'
import { createFormatHandlers, datasetFormatInfo } from './formats'
import { facePhotoLink } from '../vision/faces/links'
import { createFaceHandlers } from './faces'
import { createInferenceHandlers } from './inference'
import { createRankingHandlers } from './ranking'
import { createReviewHandlers } from './review'
import { createDecisionHandlers } from './decisions'
import { createDuplicateHandlers } from './duplicates'
import { createNeighbourHandlers } from './neighbours'

function summaryOrThrow(ctx: AppContext, datasetId: number): DatasetSummary {
  const summary = getDatasetSummary(ctx.db, datasetId)
  if (!summary) throw new ApiError('not_found', `No dataset with id ${datasetId}. Open its folder again.`)
  return summary
}

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
    ...createDecisionHandlers(ctx),
    ...createDuplicateHandlers(ctx),
    ...createRankingHandlers(ctx),
    ...createFaceHandlers(ctx),
    ...createNeighbourHandlers(ctx),
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
      const { datasetId, report, moved } = await scans.run(resolved, (signal) =>
        scanDataset(db, resolved, onProgress, { format, options }, { signal, appVersion: ctx.version, searchDuplicates: false })
      )
      // The dataset is usable now; its duplicates are found behind it (the progress bar stays, with Cancel).
      ctx.duplicateSearches.start(datasetId, resolved, moved)
      ctx.events.emit('datasetChanged', { datasetId })
      return { dataset: summaryOrThrow(ctx, datasetId), report, format: datasetFormatInfo(ctx, datasetId) }
    },

    async cancelScan({ root }) {
      const resolved = await resolveDatasetRoot(root)
      const datasetId = datasetIdForRoot(db, resolved)
      const search = datasetId !== null && ctx.duplicateSearches.cancel(datasetId)
      return { cancelled: scans.cancel(resolved) || search }
    },

    async getDataset({ datasetId }) {
      return summaryOrThrow(ctx, datasetId)
    },

    async listProblems({ datasetId }) {
      summaryOrThrow(ctx, datasetId)
      return listProblems(db, datasetId)
    },

    async querySamples({ datasetId, filter, offset, limit, sort }) {
      // The store caps the page (MAX_PAGE_ROWS) and says so in the answer.
      return querySamples(db, datasetId, filter, offset, limit, sort)
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

    async suggestExportPath({ datasetId, format }) {
      const summary = summaryOrThrow(ctx, datasetId)
      const safeName = summary.name.replace(/[^\p{L}\p{N}._-]+/gu, '_')
      return join(ctx.dataDir, 'exports', `${safeName}-labels-${timestamp()}${EXPORT_SUFFIX[format]}`)
    },

    async exportLabels({ datasetId, format, path, overwrite }) {
      // Absolute is a rule of the machine main runs on (C:\ or /), so it is checked here, not in shared code.
      if (!isAbsolute(path)) throw new ApiError('bad_request', 'Export path must be an absolute file path', 'path')
      const root = datasetRoot(db, datasetId)
      if (!root) throw new ApiError('not_found', `No dataset with id ${datasetId}`)
      const name = summaryOrThrow(ctx, datasetId).name
      const formatInfo = () => datasetFormatInfo(ctx, datasetId)
      return exportDataset(db, { id: datasetId, root, name, formatInfo }, { format, path, overwrite })
    }
  }
}
