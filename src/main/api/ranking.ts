import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ApiError, type ApiHandlers } from '@shared/api'
import type { ModelInfo } from '@shared/inference'
import type { DatasetSummary, RankingSummary } from '@shared/types'
import { listModels } from '../inference/registry'
import { isOutOfSample, trainingOverlap } from '../review/outOfSample'
import { neighbourDisagreement } from '../review/neighbourSignal'
import { flatness, medianNorm, oddness, withFlatness } from '../review/oddness'
import { outOfSampleCode, outOfSampleOf, rankColumns, type IssueScores, type RankColumns } from '../review/ranking'
import { freshListsWithNorms } from '../neighbours/service'
import { nowIso, type Db } from '../store/db'
import { nearlyEmptyFrames } from '../store/duplicates'
import { FINGERPRINT_ALGORITHM } from '../duplicates/fingerprint'
import { countLabels, rankingSummary, saveRanking, type ScoreRow } from '../store/review'
import { probabilitiesAt, rankingInputs, type RankingInputs } from '../store/rankingInputs'
import { declareOutOfSample, getDatasetSummary, outOfSampleDeclaredAt } from '../store/datasets'
import { getDatasetFormat } from '../store/sources'
import type { AppContext } from './context'

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
  const { inputs, unpredicted, dataVersion } = rankingInputs(db, datasetId, model.id)
  if (inputs.length === 0) return null
  const card = readModelCard(model.folder)
  const overlap = trainingOverlap(
    card.trainingData,
    getDatasetFormat(db, datasetId)?.format ?? null,
    outOfSampleDeclaredAt(db, datasetId)
  )
  const classIndex = new Map(model.classes.map((c, i) => [c, i]))
  const neutral = classIndex.get(card.neutralClass ?? 'neutral') ?? null
  // As columns (RankColumns): the probabilities and intensities are the inputs' own arrays.
  const items: RankColumns = {
    count: inputs.length,
    probabilities: inputs.probabilities,
    given: new Int32Array(inputs.length),
    intensity: inputs.intensity,
    outOfSample: new Uint8Array(inputs.length)
  }
  for (let i = 0; i < inputs.length; i++) {
    const label = inputs.currentLabels[i]
    items.given[i] = label === null ? -1 : (classIndex.get(label) ?? -1)
    items.outOfSample[i] = outOfSampleCode(isOutOfSample(overlap, inputs.splits[i]))
  }
  const ranking = rankColumns(items, model.classes.length, neutral)
  const { disagreement, odd } = neighbourScores(db, datasetId, model.id, inputs)
  const name = (i: number | null): string | null => (i === null ? null : model.classes[i])
  // Each sample's row is made as it is written, not all at once: 1M row objects beside the inputs
  // and scores raised the 1M ranking's peak RSS and its collection time (issue 19).
  const scoreRow = (i: number): ScoreRow => {
    const sampleId = inputs.sampleIds[i]
    const currentLabel = inputs.currentLabels[i]
    const s = ranking.scores[i]
    const judged = items.given[i] >= 0
    const intensity = items.intensity[i]
    return {
      sampleId,
      givenLabel: currentLabel,
      predictedLabel: model.classes[s.predicted],
      selfConfidence: s.selfConfidence,
      margin: s.margin,
      confidentLabel: name(s.confident),
      // A label the model has no class for (contempt for a 7-class model) is not judged, and
      // nothing is suggested for it: the model could never have predicted it.
      suggestedLabel: judged || currentLabel === null ? name(s.suggested) : null,
      flagged: s.flagged,
      intensity: Number.isNaN(intensity) ? null : intensity,
      intensityMismatch: s.intensityMismatch,
      combined: s.combined,
      score: s.score,
      // Judged like the other scores: a label the model has no class for gets none.
      neighbourDisagreement: judged ? (disagreement.get(sampleId) ?? null) : null,
      // Whether an image is a face at all does not need a label: every predicted sample gets one.
      oddness: odd.get(sampleId) ?? null,
      outOfSample: judged ? outOfSampleOf(items.outOfSample[i]) : null
    }
  }
  const rows = {
    length: inputs.length,
    *[Symbol.iterator]() {
      for (let i = 0; i < inputs.length; i++) yield scoreRow(i)
    }
  }
  const { scored, flagged, outOfSample } = countScores(ranking.scores, items)
  const summary: RankingSummary = {
    datasetId,
    modelId: model.id,
    rankedAt: nowIso(),
    classes: model.classes,
    thresholds: ranking.thresholds.map((t) => (Number.isFinite(t) ? Math.round(t * 1e4) / 1e4 : null)),
    thresholdsFrom: ranking.thresholdsFrom,
    predicted: inputs.length,
    scored,
    flagged,
    outOfSample,
    trainingData: card.trainingData,
    overlap: overlap.reason,
    durationMs: 0
  }
  const counts = countLabels(
    (function* () {
      for (let i = 0; i < inputs.length; i++) {
        yield {
          originalLabel: inputs.originalLabels[i],
          currentLabel: inputs.currentLabels[i],
          predicted: model.classes[ranking.scores[i].predicted]
        }
      }
    })()
  )
  saveRanking(db, summary, rows, () => Math.round(performance.now() - started), {
    counts: [...counts, ...unpredicted],
    readAt: dataVersion
  })
  return summary
}

/** The summary's counts: judged labels (those with a score), flagged ones, and the judged by whether the model trained on them. */
function countScores(scores: IssueScores[], items: RankColumns): Pick<RankingSummary, 'scored' | 'flagged' | 'outOfSample'> {
  const counts = { scored: 0, flagged: 0, outOfSample: { out: 0, in: 0, unknown: 0 } }
  scores.forEach((s, i) => {
    if (s.flagged) counts.flagged++
    if (s.score === null) return
    counts.scored++
    const out = outOfSampleOf(items.outOfSample[i])
    counts.outOfSample[out === true ? 'out' : out === false ? 'in' : 'unknown']++
  })
  return counts
}

/**
 * The neighbour label score and the odd-image score of every sample with stored neighbour lists
 * that match the dataset's embeddings (issue 17), from the labels as they are now: ranking again
 * after relabelling needs no new search. Empty when the lists are missing or stale (api/review.ts
 * computes them after a run).
 */
function neighbourScores(db: Db, datasetId: number, modelId: string, inputs: RankingInputs) {
  const scores = new Map<number, number | null>()
  const odd = new Map<number, number | null>()
  const lists = freshListsWithNorms(db, datasetId, modelId)
  if (!lists) return { disagreement: scores, odd }
  const median = medianNorm(lists.norms)
  // Nearly empty frames, from the thumbnails the duplicate search stored (none yet: not counted).
  const flat = new Map(nearlyEmptyFrames(db, datasetId, FINGERPRINT_ALGORITHM).map((f) => [f.sampleId, flatness(f.contrast)]))
  const position = new Map(inputs.sampleIds.map((id, i) => [id, i]))
  const labelOf = (id: number): string | null => {
    const at = position.get(id)
    return at === undefined ? null : inputs.currentLabels[at]
  }
  lists.sampleIds.forEach((id, i) => {
    const at = position.get(id)
    if (at === undefined) return
    const neighbours = lists.neighbours.subarray(i * lists.k, (i + 1) * lists.k)
    scores.set(id, neighbourDisagreement(inputs.currentLabels[at], neighbours, labelOf))
    odd.set(id, withFlatness(oddness(probabilitiesAt(inputs, at), lists.norms[i], median), flat.get(id) ?? null))
  })
  return { disagreement: scores, odd }
}

/** Requests about how a dataset is ranked, besides ranking it (./review.ts). */
export function createRankingHandlers(ctx: AppContext): Pick<ApiHandlers, 'declareOutOfSample'> {
  return {
    async declareOutOfSample({ datasetId, declared }) {
      if (!getDatasetSummary(ctx.db, datasetId))
        throw new ApiError('not_found', `No dataset with id ${datasetId}. Open its folder again.`)
      declareOutOfSample(ctx.db, datasetId, declared)
      // Every score's in-sample status, the thresholds and the order follow the declaration, so the
      // ranking is redone at once with its own model: the researcher asked for this change.
      const ranked = rankingSummary(ctx.db, datasetId)
      const model = ranked && (await listModels(ctx.db, ctx.modelsDir)).find((m) => m.id === ranked.modelId)
      const summary = model ? rankDataset(ctx.db, datasetId, model) : null
      if (summary) ctx.events.emit('labelIssuesRanked', summary)
      ctx.events.emit('datasetChanged', { datasetId })
      return getDatasetSummary(ctx.db, datasetId) as DatasetSummary
    }
  }
}
