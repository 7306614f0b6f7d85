import { ApiError, type ApiHandlers } from '@shared/api'
import { EMOTIONS } from '@shared/emotions'
import { formatSpecs } from '@shared/formats'
import { describeFormat } from '@shared/formats/info'
import { probeAndDetect } from '../datasets/probe'
import { resolveDatasetRoot } from '../datasets/scan'
import { datasetRoot } from '../store/datasets'
import { getDatasetFormat } from '../store/sources'
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
