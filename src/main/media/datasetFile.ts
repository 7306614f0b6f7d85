import { realpath } from 'node:fs/promises'
import type { GreyPixels } from '@shared/formats/types'
import { isPathInside, resolveInside } from '../paths'
import { ImageReadError, onDatasetDisk, readImageFile, readRegularFile } from './readImageFile'

/**
 * A sample's image file, named by its dataset folder and its path there (as the database stores
 * it), not by an absolute path: it is turned into one only here, when read, after the link check.
 */
export interface DatasetFile {
  datasetRoot: string
  relPath: string
}

/** What a sample's pixels come from: its file, or the pixels themselves (FER2013 CSV rows have no file). */
export type SampleSource = DatasetFile | GreyPixels

export function isDatasetFile(source: unknown): source is DatasetFile {
  return typeof source === 'object' && source !== null && 'datasetRoot' in source && 'relPath' in source
}

const OUTSIDE = 'Refused: the image path lies outside its dataset folder'

/**
 * The file's real path, when it really lies inside its dataset folder: the stored path must stay
 * inside, and so must where its links lead now — a link swapped in after the scan must not lead
 * out either (the emotion map once read through one, issue #18, F10).
 */
export function locateDatasetFile(file: DatasetFile): Promise<string> {
  return onDatasetDisk(() => insideRealPath(file))
}

/** The file's bytes, read only after the check above, with readImageFile's limits. */
export function readDatasetFile(file: DatasetFile): Promise<Buffer> {
  return onDatasetDisk(async () => readRegularFile(await insideRealPath(file)))
}

async function insideRealPath(file: DatasetFile): Promise<string> {
  const abs = resolveInside(file.datasetRoot, file.relPath)
  if (!abs) throw new ImageReadError(OUTSIDE, 'outside_root')
  const real = await realpath(abs).catch(() => null)
  if (!real) throw new ImageReadError('file no longer on disk')
  const realRoot = await realpath(file.datasetRoot).catch(() => null)
  if (!realRoot || !isPathInside(realRoot, real)) throw new ImageReadError(OUTSIDE, 'outside_root')
  return real
}

/**
 * Encoded bytes or pixels, ready to decode, from any image source: a dataset file (checked and
 * read as above), a path a caller chose itself (read with the same limits), or bytes and pixels
 * already in memory.
 */
export async function loadImage(source: string | DatasetFile | Uint8Array | GreyPixels): Promise<Uint8Array | GreyPixels> {
  if (typeof source === 'string') return readImageFile(source)
  return isDatasetFile(source) ? readDatasetFile(source) : source
}
