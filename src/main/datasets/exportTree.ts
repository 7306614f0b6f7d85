import { constants } from 'node:fs'
import { copyFile, link, lstat, mkdir, readdir, realpath, rename, rm, rmdir, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { ApiError } from '@shared/api'
import type { GreyPixels } from '@shared/formats/types'
import { isProcessAlive, NO_HARD_LINKS } from '../files/atomicWrite'
import { backupNameFor } from '../files/writeNames'
import { isDatasetFile, locateDatasetFile, type SampleSource } from '../media/datasetFile'
import { isPathInside, resolveInside } from '../paths'
import { pngFromPixels } from '../vision/pixels'
import { eachLimited } from './eachLimited'

/**
 * Writes a cleaned ImageFolder tree into a new folder: each image hard-linked from the dataset
 * (no extra space, instant), copied where the file system cannot link (another drive, FAT, a
 * network share), or — for FER2013 CSV rows, which have no file — written as a PNG of its pixels.
 * The dataset folder is only read. The tree is built in a staging folder beside the target and
 * renamed into place when whole, so a failed or killed export never leaves half a tree where a
 * training script would read it.
 */

export interface TreeImage {
  /** '/'-separated, relative to the tree's root. */
  target: string
  /** What the image is read from, as every other reader of sample pixels gets it (media/sampleSource.ts). */
  source: SampleSource
  /** For messages: the sample's path in the dataset. */
  relPath: string
}

export interface TreeWritten {
  linked: number
  copied: number
  written: number
  /** Where the folder that was replaced now is, when overwrite was asked for. */
  backupPath: string | null
}

const MAX_NAMED = 10
const PARALLEL = 8

async function isEmptyFolder(path: string): Promise<boolean> {
  return (await readdir(path).catch(() => ['?'])).length === 0
}

/** The real path of `path`, or of its nearest existing parent with the rest appended: links resolved. */
async function realPathOf(path: string): Promise<string> {
  const real = await realpath(path).catch(() => null)
  if (real) return real
  const parent = dirname(path)
  return parent === path ? path : join(await realPathOf(parent), basename(path))
}

/** Refuses a tree inside the dataset folder (a rescan would read it as more images) or one that holds the dataset. */
async function checkPlace(root: string, outDir: string): Promise<void> {
  const [realRoot, realOut] = await Promise.all([realPathOf(root), realPathOf(outDir)])
  for (const [r, o] of [
    [resolve(root), resolve(outDir)],
    [realRoot, realOut]
  ]) {
    if (isPathInside(r, o))
      throw new ApiError(
        'bad_request',
        `Refused: ${outDir} is inside the dataset folder ${root}. A cleaned tree goes to a new folder outside the dataset, which the export never changes.`,
        'path'
      )
    if (isPathInside(o, r))
      throw new ApiError(
        'bad_request',
        `Refused: ${outDir} holds the dataset folder ${root}. Choose a new folder beside it.`,
        'path'
      )
  }
}

async function place(image: TreeImage, target: string): Promise<'linked' | 'copied' | 'written'> {
  await mkdir(dirname(target), { recursive: true })
  if (!isDatasetFile(image.source)) {
    await writeFile(target, await pngFromPixels(image.source as GreyPixels), { flag: 'wx' })
    return 'written'
  }
  // The real path, checked to lie inside the dataset folder: a link swapped in after the scan must not lead out.
  const real = await locateDatasetFile(image.source)
  try {
    await link(real, target)
    return 'linked'
  } catch (err) {
    if (!NO_HARD_LINKS.has((err as NodeJS.ErrnoException).code ?? '')) throw err
  }
  await copyFile(real, target, constants.COPYFILE_EXCL)
  return 'copied'
}

/** Removes the staging folders that earlier exports to `outDir` left when they were killed. */
async function sweepKilledStaging(outDir: string): Promise<void> {
  const prefix = `${basename(outDir)}.pokerface-partial-`
  for (const name of await readdir(dirname(outDir)).catch(() => [] as string[])) {
    const pid = name.startsWith(prefix) ? Number(name.slice(prefix.length).split('-')[0]) : NaN
    if (Number.isSafeInteger(pid) && pid !== process.pid && !isProcessAlive(pid))
      await rm(join(dirname(outDir), name), { recursive: true, force: true })
  }
}

export async function writeCleanedTree(
  root: string,
  outDir: string,
  overwrite: boolean,
  images: readonly TreeImage[]
): Promise<TreeWritten> {
  await checkPlace(root, outDir)
  const found = await lstat(outDir).catch(() => null)
  const replace = found !== null && !(found.isDirectory() && (await isEmptyFolder(outDir)))
  if (replace && !overwrite)
    throw new ApiError(
      'exists',
      `${outDir} already exists and is not an empty folder. Choose a new folder, or confirm to replace it (the old one is kept beside it).`
    )

  await sweepKilledStaging(outDir)
  const staging = `${outDir}.pokerface-partial-${process.pid}-${Math.random().toString(36).slice(2)}`
  const counts = { linked: 0, copied: 0, written: 0 }
  const failed: string[] = []
  try {
    await mkdir(staging, { recursive: true })
    await eachLimited(images, PARALLEL, async (image) => {
      const target = resolveInside(staging, image.target)
      if (!target) throw new ApiError('outside_root', `Refused: ${image.target} would be written outside ${outDir}`)
      try {
        counts[await place(image, target)]++
      } catch (err) {
        if (err instanceof ApiError) throw err
        failed.push(`${image.relPath}: ${(err as Error).message}`)
      }
    })
    if (failed.length > 0) {
      const more = failed.length > MAX_NAMED ? `\n… and ${failed.length - MAX_NAMED} more` : ''
      throw new ApiError(
        'bad_request',
        `${failed.length} image${failed.length === 1 ? '' : 's'} could not be put in the cleaned tree, so none was written ` +
          `(the dataset is unchanged). Reopen the dataset if files moved:\n${failed.slice(0, MAX_NAMED).join('\n')}${more}`
      )
    }
    let backupPath: string | null = null
    if (replace) {
      backupPath = backupNameFor(outDir, new Date(), 1)
      for (let attempt = 2; await lstat(backupPath).catch(() => null); attempt++)
        backupPath = backupNameFor(outDir, new Date(), attempt)
      await rename(outDir, backupPath)
    } else if (found) {
      // An empty folder makes way for the tree; rmdir, not rm: it refuses a folder that filled meanwhile.
      await rmdir(outDir)
    }
    await rename(staging, outDir)
    return { ...counts, backupPath }
  } catch (err) {
    await rm(staging, { recursive: true, force: true })
    throw err
  }
}
