import { CHANGED_ROWS_LIMIT, type UndoResult } from '@shared/types'
import { withGroupMembers } from '../store/duplicates'
import { samplesByIds } from '../store/samples'
import type { AppContext } from './context'

/**
 * Tells every window which samples a decision changed (labelsChanged) and hands the caller their
 * rows, with those of the other members of their duplicate groups (whose badges follow the
 * group's labels): each window patches the tiles it has loaded instead of fetching its pages
 * again, so a key press costs one write call. Past CHANGED_ROWS_LIMIT rows only the ids travel (a
 * bulk relabel of 10k faces would be megabytes of rows); windows re-read those.
 */
export function announceChanges(ctx: AppContext, datasetId: number, result: UndoResult): UndoResult {
  if (result.sampleIds.length === 0) return result
  const affected = result.sampleIds.length <= CHANGED_ROWS_LIMIT ? withGroupMembers(ctx.db, datasetId, result.sampleIds) : []
  const samples =
    affected.length > 0 && affected.length <= CHANGED_ROWS_LIMIT ? samplesByIds(ctx.db, datasetId, affected) : undefined
  ctx.events.emit('labelsChanged', { datasetId, sampleIds: result.sampleIds, ...(samples ? { samples } : {}) })
  return samples ? { ...result, samples } : result
}
