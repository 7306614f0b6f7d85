import type { Db } from '../store/db'
import { pixelsForHash } from '../store/samples'
import { resolveInside } from '../paths'
import { pngFromPixels } from '../vision/pixels'

/**
 * What to decode for an image of a dataset: its file, resolved inside the dataset root, or — for
 * images that exist only as pixels (FER2013 rows) — those pixels as PNG, encoded when asked for
 * rather than all at once. An empty path for a file outside the root makes decoding fail as a
 * per-image error.
 */
export async function imageSource(
  db: Db,
  datasetId: number,
  root: string,
  image: { hash: string; relPath: string }
): Promise<string | Uint8Array> {
  const pixels = pixelsForHash(db, datasetId, image.hash)
  return pixels ? pngFromPixels(pixels) : (resolveInside(root, image.relPath) ?? '')
}
