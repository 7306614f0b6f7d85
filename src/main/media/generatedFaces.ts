import { readFile } from 'node:fs/promises'
import sharp from 'sharp'
import type { GeneratedImageKind } from '@shared/models'
import { generatedSheetPath, sheetPanel } from './sheetLayout'

/** The faces a model generated, read back from the cache for views and evaluation (layout: sheetLayout.ts). */

/** The stored sheet's PNG bytes, or null when the run has not generated it (yet). */
export function readGeneratedSheet(cacheDir: string, modelId: string, hash: string): Promise<Buffer | null> {
  return readFile(generatedSheetPath(cacheDir, modelId, hash)).catch(() => null)
}

/** The side of each face on a sheet (the model's input size): the sheet's height. */
export async function sheetFaceSize(sheetPng: Buffer): Promise<number> {
  return (await sharp(sheetPng).metadata()).height ?? 0
}

/** One generated face cut out of a sheet's PNG, as its own PNG (size × size). */
export async function generatedFacePng(sheetPng: Buffer, kind: GeneratedImageKind): Promise<Buffer> {
  const size = await sheetFaceSize(sheetPng)
  return sharp(sheetPng)
    .extract({ left: sheetPanel(kind) * size, top: 0, width: size, height: size })
    .png()
    .toBuffer()
}

/** The stored sheet as raw RGB (HWC, 3·size wide), or null when it is missing. */
export async function generatedSheetRgb(cacheDir: string, modelId: string, hash: string): Promise<Buffer | null> {
  const png = await readGeneratedSheet(cacheDir, modelId, hash)
  return png ? sharp(png).removeAlpha().raw().toBuffer() : null
}
