import { ApiError, type ImageKind } from '@shared/api'
import type { AppContext } from '../api/context'
import { fullImage, type ImageBytes } from '../vision/images'
import { pngFromPixels } from '../vision/pixels'
import { isDatasetFile, locateDatasetFile, readDatasetFile } from './datasetFile'
import { ImageReadError } from './readImageFile'
import { sampleRow, sampleSource } from './sampleSource'

/**
 * A sample's image for the renderer, by sample id only (the thumbnail or the full image). The
 * file is found through sampleSource.ts and read through datasetFile.ts, so it must lie inside
 * its dataset folder whatever the database or a link says, and a file that cannot be read (a
 * pipe, a hung share) answers an error at once instead of holding up other requests.
 */
export async function sampleImage(ctx: AppContext, kind: ImageKind, sampleId: number): Promise<ImageBytes> {
  const row = sampleRow(ctx.db, sampleId)
  const source = sampleSource(ctx.db, row)
  // Rows that exist only as pixels are encoded on request: a 48×48 PNG takes well under a
  // millisecond, and it is already thumbnail-sized, so both kinds get the same bytes.
  if (!isDatasetFile(source)) return { bytes: await pngFromPixels(source), contentType: 'image/png' }
  try {
    if (kind === 'full') return await fullImage(await readDatasetFile(source))
    // The link check runs on every request, also for a cached thumbnail: the same file must not be
    // shown by one route and refused by the other.
    await locateDatasetFile(source)
    return await ctx.thumbnails.get(row.contentHash, () => readDatasetFile(source))
  } catch (err) {
    throw mediaApiError(row.relPath, err)
  }
}

/** What the routes answer when a sample's image cannot be shown: 403 for a file outside its dataset, else 404. */
export function mediaApiError(relPath: string, err: unknown): ApiError {
  if (err instanceof ApiError) return err
  if (err instanceof ImageReadError && err.reason === 'outside_root') return new ApiError('outside_root', err.message)
  return new ApiError('not_found', `Cannot show ${relPath}: ${(err as Error)?.message ?? String(err)}`)
}
