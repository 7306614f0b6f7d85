import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ModelInfo } from '@shared/inference'
import type { RankingSummary } from '@shared/types'
import { isOutOfSample, trainingOverlap } from '../review/outOfSample'
import { rankLabelIssues, type RankItem } from '../review/ranking'
import { nowIso, type Db } from '../store/db'
import { rankingInputs, saveRanking, type ScoreRow } from '../store/review'
import { getDatasetFormat } from '../store/sources'

/** What the ranking reads from a model card besides its classes. */
interface ModelCard {
  trainingData: string | null
  neutralClass: string | null
}

function readModelCard(folder: string): ModelCard {
  try {
    const m = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'))
    const data = m?.training?.data
    const neutral = m?.architecture?.neutral_class
    return { trainingData: typeof data === 'string' ? data : null, neutralClass: typeof neutral === 'string' ? neutral : null }
  } catch {
    return { trainingData: null, neutralClass: null }
  }
}

/**
 * Ranks a dataset's labels with one model's stored predictions and stores every sample's scores,
 * replacing the previous ranking. Synchronous on purpose (SQLite here is synchronous, the maths is
 * a few passes over arrays): it runs inside the "run finished" event, so that whoever hears that
 * event next — the renderer, or `pokerface infer` before it exits — already finds the ranking.
 * Returns null when the model has no prediction for any sample of the dataset.
 */
export function rankDataset(
  db: Db,
  datasetId: number,
  model: Pick<ModelInfo, 'id' | 'classes' | 'folder'>
): RankingSummary | null {
  const started = performance.now()
  const inputs = rankingInputs(db, datasetId, model.id)
  if (inputs.length === 0) return null
  const card = readModelCard(model.folder)
  const overlap = trainingOverlap(card.trainingData, getDatasetFormat(db, datasetId)?.format ?? null)
  const classIndex = new Map(model.classes.map((c, i) => [c, i]))
  const neutral = classIndex.get(card.neutralClass ?? 'neutral') ?? null
  const items: RankItem[] = inputs.map((r) => ({
    given: r.currentLabel === null ? null : (classIndex.get(r.currentLabel) ?? null),
    probabilities: r.probabilities,
    intensity: r.intensity,
    outOfSample: isOutOfSample(overlap, r.split)
  }))
  const ranking = rankLabelIssues(items, model.classes.length, neutral)
  const name = (i: number | null): string | null => (i === null ? null : model.classes[i])
  const rows: ScoreRow[] = inputs.map((r, i) => {
    const s = ranking.scores[i]
    const judged = items[i].given !== null
    return {
      sampleId: r.sampleId,
      givenLabel: r.currentLabel,
      predictedLabel: model.classes[s.predicted],
      selfConfidence: s.selfConfidence,
      margin: s.margin,
      confidentLabel: name(s.confident),
      // A label the model has no class for (contempt for a 7-class model) is not judged, and
      // nothing is suggested for it: the model could never have predicted it.
      suggestedLabel: judged || r.currentLabel === null ? name(s.suggested) : null,
      flagged: s.flagged,
      intensity: r.intensity,
      intensityMismatch: s.intensityMismatch,
      score: s.score,
      outOfSample: judged ? items[i].outOfSample : null
    }
  })
  const judged = rows.filter((r) => r.score !== null)
  const summary: RankingSummary = {
    datasetId,
    modelId: model.id,
    rankedAt: nowIso(),
    classes: model.classes,
    thresholds: ranking.thresholds.map((t) => (Number.isFinite(t) ? Math.round(t * 1e4) / 1e4 : null)),
    thresholdsFrom: ranking.thresholdsFrom,
    predicted: rows.length,
    scored: judged.length,
    flagged: rows.filter((r) => r.flagged).length,
    outOfSample: {
      out: judged.filter((r) => r.outOfSample === true).length,
      in: judged.filter((r) => r.outOfSample === false).length,
      unknown: judged.filter((r) => r.outOfSample === null).length
    },
    trainingData: card.trainingData,
    overlap: overlap.reason,
    durationMs: 0
  }
  saveRanking(db, summary, rows, () => Math.round(performance.now() - started))
  return summary
}
