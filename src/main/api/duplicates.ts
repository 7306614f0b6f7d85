import { ApiError, type ApiHandlers } from '@shared/api'
import { groupMembers } from '../store/duplicates'
import { keepOneDuplicate } from '../store/marks'
import { getSampleRow } from '../store/samples'
import { announceChanges } from './announceChanges'
import type { AppContext } from './context'

/** The largest group of near (not only exact) duplicates that keep-one acts on. */
const MAX_NEAR_GROUP = 50

/** The duplicates queue's one decision (issue 17): keep this member of its group, exclude the others. */
export function createDuplicateHandlers(ctx: AppContext): Pick<ApiHandlers, 'keepDuplicate'> {
  const { db } = ctx
  return {
    async keepDuplicate({ datasetId, sampleId }) {
      const row = getSampleRow(db, sampleId)
      if (!row || row.datasetId !== datasetId)
        throw new ApiError('not_found', `No sample with id ${sampleId} in dataset ${datasetId}`)
      const { members, exactOnly } = groupMembers(db, sampleId)
      if (members.length < 2)
        throw new ApiError('bad_request', `${row.relPath} has no duplicates in this dataset: there is nothing to exclude.`)
      // Near duplicates chain (a ≈ b ≈ c), so a large group of them is more likely a chain of
      // look-alikes than one photo: excluding all but one of them at a key press would lose faces.
      if (!exactOnly && members.length > MAX_NEAR_GROUP)
        throw new ApiError(
          'bad_request',
          `The group of ${row.relPath} holds ${members.length} faces, not all identical: too many to be copies of one photo. Mark its members one by one (X excludes).`
        )
      return announceChanges(ctx, datasetId, keepOneDuplicate(db, datasetId, sampleId, members, row.relPath))
    }
  }
}
