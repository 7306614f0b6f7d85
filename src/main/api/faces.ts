import { basename, isAbsolute, join } from 'node:path'
import { ApiError, type ApiHandlers } from '@shared/api'
import { resolveDatasetRoot } from '../datasets/scan'
import { extractFaces } from '../vision/faces/extract'
import type { AppContext } from './context'

/** Raw photos to face crops: the step before a folder of photos can be reviewed face by face. */
export function createFaceHandlers(ctx: AppContext): Pick<ApiHandlers, 'extractFaces'> {
  return {
    async extractFaces({ photos, out }) {
      const root = await resolveDatasetRoot(photos)
      if (out !== undefined && !isAbsolute(out))
        throw new ApiError('bad_request', 'The faces folder must be an absolute path', 'out')
      const target = out ?? join(ctx.dataDir, 'faces', basename(root))
      const report = await extractFaces(root, target, {}, (done, total) =>
        ctx.events.emit('scanProgress', { root, phase: 'reading', done, total })
      )
      ctx.events.emit('scanProgress', { root, phase: 'done', done: report.photos, total: report.photos })
      return { out: target, photos: report.photos, faces: report.faces, skipped: report.skipped }
    }
  }
}
