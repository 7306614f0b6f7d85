import { join } from 'node:path'
import { modelIdProblem } from '@shared/modelId'
import { GENERATE_OUTPUTS, type GeneratedImageKind } from '@shared/models'

/**
 * Where the faces a model generated for an image live, and how they are laid out: the one answer
 * for the run that writes them (inference/postProcess.ts), the views that show them and the
 * evaluation that measures them. No sharp here: the run's post-processing thread imports this.
 *
 * One PNG sheet per (model, image content hash), size × 3·size: reconstruction | poker face |
 * emotion component, in GENERATE_OUTPUTS order. One file and one encode per image instead of
 * three; a view cuts out its panel. Keyed by content hash, so a re-run or a crash never
 * duplicates or loses work, and identical images share one sheet.
 */
export function generatedSheetPath(cacheDir: string, modelId: string, hash: string): string {
  // The id becomes a folder name: ".." here once wrote sheets beside the cache (issue #18, F15).
  const problem = modelIdProblem(modelId)
  if (problem) throw new Error(`No cache path for model id ${JSON.stringify(modelId)}: a model id ${problem}`)
  return join(cacheDir, modelId, hash.slice(0, 2), `${hash}.png`)
}

/** The column of the sheet that holds `kind`. */
export function sheetPanel(kind: GeneratedImageKind): number {
  return GENERATE_OUTPUTS.indexOf(kind)
}

/** One generated face out of a raw RGB sheet (see generatedSheetRgb), as its own HWC image. */
export function generatedFaceRgb(sheet: ArrayLike<number>, size: number, kind: GeneratedImageKind): Uint8Array {
  const panels = GENERATE_OUTPUTS.length
  const from0 = sheetPanel(kind) * size
  const out = new Uint8Array(size * size * 3)
  const rowBytes = size * 3
  for (let y = 0; y < size; y++) {
    const from = (y * size * panels + from0) * 3
    for (let x = 0; x < rowBytes; x++) out[y * rowBytes + x] = sheet[from + x]
  }
  return out
}
