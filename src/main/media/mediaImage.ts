import type { MediaRequest } from '@shared/mediaUrls'
import type { AppContext } from '../api/context'
import type { ImageBytes } from '../vision/images'
import { modelImage } from './modelImage'
import { sampleImage } from './sampleImage'

/**
 * What a media URL (src/shared/mediaUrls.ts) answers, for both transports: the image, or null
 * when a model has not generated it yet. Throws ApiError: not_found (no such sample, a file that
 * cannot be read), outside_root (a file that leads outside its dataset folder).
 */
export async function mediaImage(ctx: AppContext, request: MediaRequest): Promise<ImageBytes | null> {
  if (request.type === 'sample') return sampleImage(ctx, request.kind, request.sampleId)
  const png = await modelImage(ctx, request)
  return png && { bytes: png, contentType: 'image/png' }
}
