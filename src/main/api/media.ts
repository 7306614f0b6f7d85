import { realpath } from 'node:fs/promises'
import { ApiError, type ImageKind } from '@shared/api'
import { isPathInside, resolveInside } from '../paths'
import { datasetRoot } from '../store/datasets'
import { getSampleRow, samplePixels } from '../store/samples'
import { fullImage, type ImageBytes } from '../vision/images'
import { pngFromPixels } from '../vision/pixels'
import type { AppContext } from './context'

/**
 * Images reach the renderer by sample id only. The file path is looked up here and must lie
 * inside its dataset root, whatever the database says.
 */
export async function sampleImage(ctx: AppContext, kind: ImageKind, sampleId: number): Promise<ImageBytes> {
  const row = Number.isSafeInteger(sampleId) ? getSampleRow(ctx.db, sampleId) : null
  if (!row) throw new ApiError('not_found', `No sample with id ${sampleId}`)
  // Samples that exist only as pixels (FER2013 rows) are encoded on request: a 48×48 PNG takes
  // well under a millisecond, and it is already thumbnail-sized, so both kinds get the same bytes.
  const pixels = samplePixels(ctx.db, row.id)
  if (pixels) return { bytes: await pngFromPixels(pixels), contentType: 'image/png' }
  const root = datasetRoot(ctx.db, row.datasetId)
  const abs = root ? resolveInside(root, row.relPath) : null
  if (!abs) throw new ApiError('outside_root', 'Refused: the image path lies outside its dataset folder')
  // A link swapped in after the scan must not lead outside the dataset either.
  const real = await realpath(abs).catch(() => null)
  if (!real) throw new ApiError('not_found', `${row.relPath} is no longer on disk`)
  if (!isPathInside(await realpath(root as string), real)) {
    throw new ApiError('outside_root', 'Refused: the image path lies outside its dataset folder')
  }
  try {
    return kind === 'thumb' ? await ctx.thumbnails.get(row.contentHash, real) : await fullImage(real)
  } catch (err) {
    throw new ApiError('not_found', `Cannot show ${row.relPath}: ${(err as Error).message}`)
  }
}

/** Parses `<kind>/<id>` from a media URL path. */
export function parseMediaPath(path: string): { kind: ImageKind; sampleId: number } | null {
  const m = /^\/?(thumb|full)\/(\d+)$/.exec(path)
  return m ? { kind: m[1] as ImageKind, sampleId: Number(m[2]) } : null
}
