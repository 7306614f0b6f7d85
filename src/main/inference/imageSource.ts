import type { Db } from '../store/db'
import { resolveInside } from '../paths'
import type { ImageSource } from '../vision/preprocess'

/**
 * Resolves what to decode for the images of one dataset: the file, resolved inside the dataset
 * root, or — for images that exist only as pixels (FER2013 rows) — the pixels themselves, handed
 * to preprocessing as they are (no PNG round trip). The lookup is prepared once per run rather than
 * once per image. An empty path for a file outside the root makes decoding fail as a per-image error.
 */
export function imageSources(db: Db, datasetId: number, root: string): (image: { hash: string; relPath: string }) => ImageSource {
  const pixelsOf = db.prepare(
    `SELECT ss.pixels, ss.width, ss.height FROM samples s JOIN sample_sources ss ON ss.sample_id = s.id
       WHERE s.dataset_id = ? AND s.content_hash = ? AND ss.pixels IS NOT NULL LIMIT 1`
  )
  return (image) => {
    const row = pixelsOf.get(datasetId, image.hash) as { pixels: Buffer; width: number; height: number } | undefined
    if (row?.width && row.height) return { width: row.width, height: row.height, data: new Uint8Array(row.pixels) }
    return resolveInside(root, image.relPath) ?? ''
  }
}
