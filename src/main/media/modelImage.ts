import { GENERATE_OUTPUTS, type GeneratedImageKind, type ModelImageKind } from '@shared/models'
import type { AppContext } from '../api/context'
import { predictionFor } from '../store/predictions'
import { attentionPng, emotionMapPng } from '../vision/overlays'
import { generatedFacePng, readGeneratedSheet, sheetFaceSize } from './generatedFaces'
import { mediaApiError } from './sampleImage'
import { sampleRow, sampleSource } from './sampleSource'

/** The attention overlay's size when no sheet says the model's input size (a run without generation). */
const ATTENTION_SIZE_WITHOUT_SHEET = 112

const isGenerated = (kind: ModelImageKind): kind is GeneratedImageKind => (GENERATE_OUTPUTS as readonly string[]).includes(kind)

/**
 * A model image of a sample as PNG bytes, or null when the run has not produced it: generated
 * faces come from the cache; the emotion map and attention overlay are drawn on request. The
 * emotion map needs the sample's own pixels, which come from sampleSource.ts like every other
 * view's: a FER2013 row from its pixels, a file only from inside its dataset folder.
 */
export async function modelImage(
  ctx: AppContext,
  { modelId, kind, sampleId }: { modelId: string; kind: ModelImageKind; sampleId: number }
): Promise<Buffer | null> {
  const row = sampleRow(ctx.db, sampleId)
  const sheet = await readGeneratedSheet(ctx.generatedDir, modelId, row.contentHash)
  if (isGenerated(kind)) return sheet ? generatedFacePng(sheet, kind) : null
  if (kind === 'attention') {
    const stored = predictionFor(ctx.db, row.contentHash, modelId)
    const size = sheet ? await sheetFaceSize(sheet) : ATTENTION_SIZE_WITHOUT_SHEET
    return stored?.attention.length ? attentionPng(stored.attention, size) : null
  }
  if (!sheet) return null
  try {
    return await emotionMapPng(sampleSource(ctx.db, row), await generatedFacePng(sheet, 'poker_face'))
  } catch (err) {
    throw mediaApiError(row.relPath, err)
  }
}
