import { ApiError } from '@shared/api'
import type { Db } from '../store/db'
import { datasetRoot } from '../store/datasets'
import { getSampleRow, pixelsByHash, samplePixels } from '../store/samples'
import type { SampleSource } from './datasetFile'

/**
 * Which pixels belong to a sample: its file inside its dataset folder, or — for samples that
 * exist only as pixels (FER2013 CSV rows) — the pixels themselves. Every view of a sample (the
 * thumbnail, the full image, the emotion map) and every run asks here, so none of them can
 * decode a row by a file path that does not exist, or skip the link check on the way to a file.
 */

type SampleRow = NonNullable<ReturnType<typeof getSampleRow>>

export function sampleRow(db: Db, sampleId: number): SampleRow {
  const row = Number.isSafeInteger(sampleId) ? getSampleRow(db, sampleId) : null
  if (!row) throw new ApiError('not_found', `No sample with id ${sampleId}`)
  return row
}

export function sampleSource(db: Db, row: SampleRow): SampleSource {
  const pixels = samplePixels(db, row.id)
  if (pixels) return pixels
  const root = datasetRoot(db, row.datasetId)
  if (!root) throw new ApiError('not_found', `No dataset with id ${row.datasetId}`)
  return { datasetRoot: root, relPath: row.relPath }
}

/**
 * The same for the images of one run, which addresses images by content hash: the lookup is
 * prepared once per run rather than once per image, and pixels are handed to preprocessing as
 * they are (no PNG round trip).
 */
export function imageSources(
  db: Db,
  datasetId: number,
  root: string
): (image: { hash: string; relPath: string }) => SampleSource {
  const pixelsOf = pixelsByHash(db, datasetId)
  return (image) => pixelsOf(image.hash) ?? { datasetRoot: root, relPath: image.relPath }
}
