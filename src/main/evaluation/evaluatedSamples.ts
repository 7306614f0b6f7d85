/**
 * The faces an evaluation looks at: the samples a model has generated faces for, each face as the
 * model saw it, and the sheet the run stored. The poker-face check, the neutral-reference
 * comparison and the card grid all read them, so they live apart from each of those.
 */
import type { AppContext } from '../api/context'
import { generatedSheetRgb } from '../media/generatedFaces'
import { imageSources } from '../media/sampleSource'
import { datasetRoot } from '../store/datasets'
import { faceRgbAt } from '../vision/preprocess'

export interface EvaluatedSample {
  id: number
  relPath: string
  contentHash: string
  label: string | null
}

/** The split's (null: every split's) present samples that this model has generated faces for, in path order. */
export function generatedSamples(ctx: AppContext, datasetId: number, modelId: string, split: string | null): EvaluatedSample[] {
  return ctx.db
    .prepare(
      `SELECT s.id, s.rel_path AS relPath, s.content_hash AS contentHash, s.original_label AS label FROM samples s
       JOIN predictions p ON p.content_hash = s.content_hash AND p.model_id = ?
       WHERE s.dataset_id = ? AND s.status = 'present' AND (? IS NULL OR s.split = ?) ORDER BY s.rel_path`
    )
    .all(modelId, datasetId, split, split) as EvaluatedSample[]
}

/** The faces as the model saw them (RGB bytes at the model's input size), one dataset's lookup prepared once. */
export function sampleFaces(ctx: AppContext, datasetId: number): (sample: EvaluatedSample, size: number) => Promise<Uint8Array> {
  const sourceOf = imageSources(ctx.db, datasetId, datasetRoot(ctx.db, datasetId) ?? '')
  return (sample, size) => faceRgbAt(sourceOf({ hash: sample.contentHash, relPath: sample.relPath }), size)
}

/** The stored sheet (reconstruction | poker face | emotion component) as raw RGB, or null if missing. */
export function sheetRgb(ctx: AppContext, modelId: string, hash: string): Promise<Buffer | null> {
  return generatedSheetRgb(ctx.generatedDir, modelId, hash)
}
