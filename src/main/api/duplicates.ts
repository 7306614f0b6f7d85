import { ApiError, type ApiHandlers } from '@shared/api'
import { groupMembers } from '../store/duplicates'
import { keepOneDuplicate } from '../store/marks'
import { getSampleRow } from '../store/samples'
import type { AppContext } from './context'

/** The duplicates queue's one decision (issue 17): keep this member of its group, exclude the others. */
export function createDuplicateHandlers(ctx: AppContext): Pick<ApiHandlers, 'keepDuplicate'> {
  const { db } = ctx
  return {
    async keepDuplicate({ datasetId, sampleId }) {
      const row = getSampleRow(db, sampleId)
      if (!row || row.datasetId !== datasetId)
        throw new ApiError('not_found', `No sample with id ${sampleId} in dataset ${datasetId}`)
      const members = groupMembers(db, sampleId)
      if (members.length < 2)
        throw new ApiError('bad_request', `${row.relPath} has no duplicates in this dataset: there is nothing to exclude.`)
      const result = keepOneDuplicate(db, datasetId, sampleId, members, row.relPath)
      if (result.sampleIds.length) ctx.events.emit('labelsChanged', { datasetId, sampleIds: result.sampleIds })
      return result
    }
  }
}
