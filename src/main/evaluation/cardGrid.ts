import { mkdir, rename } from 'node:fs/promises'
import { dirname } from 'node:path'
import sharp, { type OverlayOptions } from 'sharp'
import type { GeneratedImageKind } from '@shared/models'
import type { ModelInfo } from '@shared/inference'
import type { AppContext } from '../api/context'
import { generatedFaceRgb } from '../media/sheetLayout'
import { pickGridSamples } from '../review/gridSelection'
import { emotionMapFromRgb } from '../vision/overlays'
import { generatedSamples, sampleFaces, sheetRgb } from './evaluatedSamples'

/** Columns of each grid row, left to right (also written to the card's caption). */
export const GRID_COLUMNS = ['original', 'reconstruction', 'poker face', 'emotion component', 'emotion map over original']
const BLOCKS = 2
const GAP = 8

function rgbPng(rgb: Uint8Array, size: number): Promise<Buffer> {
  return sharp(Buffer.from(rgb), { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer()
}

/** One row: the face and the four things the model made of it, each at the model's input size. */
async function gridRow(face: Uint8Array, sheet: Buffer, size: number): Promise<Buffer[]> {
  const panel = (kind: GeneratedImageKind) => generatedFaceRgb(sheet, size, kind)
  const poker = panel('poker_face')
  const heat = await emotionMapFromRgb(face, poker, size)
  const mapOverFace = await sharp(Buffer.from(face), { raw: { width: size, height: size, channels: 3 } })
    .composite([{ input: heat }])
    .png()
    .toBuffer()
  return [
    await rgbPng(face, size),
    await rgbPng(panel('reconstruction'), size),
    await rgbPng(poker, size),
    await rgbPng(panel('emotion_component'), size),
    mapOverFace
  ]
}

/**
 * The model card's example grid: 2 faces per class of the split, one row each (GRID_COLUMNS), in
 * two side-by-side blocks. Drawn from the stored run, the same pictures the review workspace shows.
 * Returns the rows' paths and labels for the caption.
 */
export async function writeCardGrid(ctx: AppContext, datasetId: number, model: ModelInfo, split: string | null, out: string) {
  const size = model.inputSize
  const chosen = pickGridSamples(generatedSamples(ctx, datasetId, model.id, split), model.classes, 2, 16)
  const rowsPerBlock = Math.ceil(chosen.length / BLOCKS)
  const blockWidth = GRID_COLUMNS.length * size
  const faceOf = sampleFaces(ctx, datasetId)
  const tiles: OverlayOptions[] = []
  for (const [i, sample] of chosen.entries()) {
    const sheet = await sheetRgb(ctx, model.id, sample.contentHash)
    if (!sheet) throw new Error(`no generated faces stored for ${sample.relPath}: run with generation first`)
    const row = await gridRow(await faceOf(sample, size), sheet, size)
    const left = Math.floor(i / rowsPerBlock) * (blockWidth + GAP)
    const top = (i % rowsPerBlock) * size
    row.forEach((input, column) => tiles.push({ input, left: left + column * size, top }))
  }
  const width = BLOCKS * blockWidth + (BLOCKS - 1) * GAP
  await mkdir(dirname(out), { recursive: true })
  const tmp = `${out}.${process.pid}.tmp`
  await sharp({ create: { width, height: rowsPerBlock * size, channels: 3, background: '#ffffff' } })
    .composite(tiles)
    .png({ compressionLevel: 9 })
    .toFile(tmp)
  await rename(tmp, out)
  return chosen.map((s) => ({ path: s.relPath, label: s.label }))
}
