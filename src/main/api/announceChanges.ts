import { CHANGED_ROWS_LIMIT, type UndoResult } from '@shared/types'
import { samplesByIds } from '../store/samples'
import type { AppContext } from './context'

/**
 * Tells every window which samples a decision changed (labelsChanged) and hands the caller the
 * same rows: each window patches the tiles it has loaded instead of fetching its pages again, so a
 * key press costs one write call. Past CHANGED_ROWS_LIMIT samples only the ids travel (a bulk
 * relabel of 10k faces would be megabytes of rows); windows re-read those.
 */
export function announceChanges(ctx: AppContext, datasetId: number, result: UndoResult): UndoResult {
  if (result.sampleIds.length === 0) return result
  const samples = result.sampleIds.length <= CHANGED_ROWS_LIMIT ? samplesByIds(ctx.db, datasetId, result.sampleIds) : undefined
  ctx.events.emit('labelsChanged', { datasetId, sampleIds: result.sampleIds, ...(samples ? { samples } : {}) })
  return samples ? { ...result, samples } : result
}
