import type { ApiHandlers } from '@shared/api'
import { EMOTIONS } from '@shared/emotions'
import type { AppContext } from '@main/api/context'
import { storeResults } from '@main/store/predictions'

/**
 * Predictions chosen by a test, stored with the store's own function and ranked through the real
 * API, so the ranking's verdicts (flagged, suggestion) are known without running a model.
 */

/** A distribution over the 8 FERPlus classes with `p` on `cls` and the rest spread evenly. */
export const probs = (cls: string, p: number): number[] => EMOTIONS.map((e) => (e === cls ? p : (1 - p) / (EMOTIONS.length - 1)))

/** Stores `probabilities` for each sample id as `model`'s results, then ranks the dataset. */
export async function storeKnownPredictions(
  ctx: AppContext,
  api: ApiHandlers,
  datasetId: number,
  model: { id: string; classes: string[] },
  bySample: [sampleId: number, probabilities: number[]][]
): Promise<void> {
  const results = await Promise.all(
    bySample.map(async ([sampleId, p]) => {
      const { contentHash } = await api.getSample({ sampleId })
      const best = p.indexOf(Math.max(...p))
      return {
        hash: contentHash,
        ok: true as const,
        probabilities: p,
        predicted: best,
        confidence: p[best],
        attention: [],
        generated: false,
        intensity: null
      }
    })
  )
  storeResults(ctx.db, model.id, model.classes, results)
  await api.rankLabelIssues({ datasetId })
}
