import { ApiError, type ApiHandlers } from '@shared/api'
import { leftOutByLabel } from '@shared/cleaned'
import type { InferenceJobStatus } from '@shared/inference'
import type { ReviewMetrics } from '@shared/types'
import { listModels } from '../inference/registry'
import { classDistribution, confusionMatrix, perClassAgreement, type ConfusionCount } from '../review/agreement'
import { datasetRoot } from '../store/datasets'
import {
  getNote,
  isReviewed,
  issueFor,
  labelTally,
  mostPredictedModel,
  rankingSummary,
  reviewFlags,
  reviewProgress
} from '../store/review'
import { markedSamples } from '../store/decisions'
import { getSampleRow } from '../store/samples'
import type { AppContext } from './context'
import { neighboursAfterRun, updateNeighbourLists } from './neighbours'
import { rankDataset } from './ranking'

// The decisions (labels, marks, notes, accepted suggestions, undo) are ./decisions.ts.
type ReviewHandlers = Pick<ApiHandlers, 'rankLabelIssues' | 'getReviewMetrics' | 'getSampleReview'>

// Argument shapes (ids, flags, note length) were checked at the edge (./edge.ts); these checks need the database.
function checkDataset(ctx: AppContext, datasetId: number): number {
  if (datasetRoot(ctx.db, datasetId) === null) {
    throw new ApiError('not_found', `No dataset with id ${datasetId}. Open its folder again.`)
  }
  return datasetId
}

const ranksAfterRuns = new WeakSet<AppContext>()

/**
 * After every run that stored something, rank the dataset with the model that ran, so the grid
 * can open on the most likely wrong labels. Subscribed once per context (handlers may be built
 * more than once for one context). Ranking runs inside the event, before the transports relay the
 * run's end: see rankDataset for why.
 */
function rankAfterRuns(ctx: AppContext): void {
  if (ranksAfterRuns.has(ctx)) return
  ranksAfterRuns.add(ctx)
  ctx.events.subscribe((event, payload) => {
    if (event !== 'inferenceProgress') return
    const status = payload as InferenceJobStatus
    if (!status.finishedAt || status.state === 'failed') return
    const job = ctx.jobs.get(status.datasetId)
    if (!job || job.status.jobId !== status.jobId) return
    try {
      const summary = rankDataset(ctx.db, status.datasetId, job.options.model)
      if (summary) ctx.events.emit('labelIssuesRanked', summary)
      // The neighbour label score (issue 17) follows once the neighbours are found: ranked again then.
      if (summary && job.options.model.embeddingWidth) void neighboursAfterRun(ctx, status.datasetId, job.options.model)
    } catch (err) {
      console.error('[pokerface] ranking label issues failed:', err)
    }
  })
}

export function createReviewHandlers(ctx: AppContext): ReviewHandlers {
  rankAfterRuns(ctx)
  const { db } = ctx
  return {
    async rankLabelIssues({ datasetId, modelId }) {
      checkDataset(ctx, datasetId)
      const id =
        modelId ??
        ctx.jobs.get(datasetId)?.status.modelId ??
        rankingSummary(db, datasetId)?.modelId ??
        mostPredictedModel(db, datasetId)
      if (!id) throw new ApiError('bad_request', 'No predictions for this dataset yet: run a model first.')
      const model = (await listModels(db, ctx.modelsDir)).find((m) => m.id === id)
      if (!model)
        throw new ApiError(
          'not_found',
          `The model "${id}" that made these predictions is no longer installed. Add its folder again.`
        )
      // Found once per set of embeddings; ranking again after relabelling reuses them.
      if (model.embeddingWidth) await updateNeighbourLists(ctx, datasetId, model.id).catch((err: Error) => console.error(err))
      const summary = rankDataset(db, datasetId, model)
      if (!summary) throw new ApiError('bad_request', `No predictions by "${id}" for this dataset yet: run it first.`)
      ctx.events.emit('labelIssuesRanked', summary)
      return summary
    },

    async getReviewMetrics({ datasetId }) {
      checkDataset(ctx, datasetId)
      const ranking = rankingSummary(db, datasetId)
      const tally = labelTally(db, datasetId)
      const cells: ConfusionCount[] = []
      for (const t of tally)
        if (t.current !== null && t.predicted !== null) cells.push({ actual: t.current, predicted: t.predicted, n: t.n })
      const confusion = confusionMatrix(cells, ranking?.classes ?? [])
      const metrics: ReviewMetrics = {
        ranking,
        progress: reviewProgress(db, datasetId),
        confusion,
        perClass: perClassAgreement(confusion),
        // "Cleaned" by the rule the cleaned exports apply (@shared/cleaned), so the bars show what they write.
        distribution: classDistribution(tally, leftOutByLabel(markedSamples(db, datasetId)))
      }
      return metrics
    },

    async getSampleReview({ sampleId }) {
      if (!getSampleRow(db, sampleId)) throw new ApiError('not_found', `No sample with id ${sampleId}`)
      return {
        sampleId,
        issue: issueFor(db, sampleId),
        note: getNote(db, sampleId),
        flags: reviewFlags(db, sampleId),
        reviewed: isReviewed(db, sampleId)
      }
    }
  }
}
