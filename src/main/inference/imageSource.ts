import type { Db } from '../store/db'
import { pixelsByHash } from '../store/samples'
import { resolveInside } from '../paths'
import type { ImageSource } from '../vision/preprocess'

/**
 * Resolves what to decode for the images of one dataset: the file, resolved inside the dataset
 * root, or — for images that exist only as pixels (FER2013 rows) — the pixels themselves, handed
 * to preprocessing as they are (no PNG round trip). The lookup is prepared once per run rather than
 * once per image. An empty path for a file outside the root makes decoding fail as a per-image error.
 */
export function imageSources(db: Db, datasetId: number, root: string): (image: { hash: string; relPath: string }) => ImageSource {
  const pixelsOf = pixelsByHash(db, datasetId)
  return (image) => pixelsOf(image.hash) ?? resolveInside(root, image.relPath) ?? ''
}
