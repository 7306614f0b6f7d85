import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiHandlers } from '@shared/api'
import { closeContext, createContext, type AppContext } from '@main/api/context'
import { behindEdge } from '@main/api/edge'
import { createApiHandlers } from '@main/api/service'
import { datasetDecisions, decisionsOf } from '@main/store/decisions'
import { tempDir, writePng } from '../helpers/data'
import { probs, storeKnownPredictions } from '../helpers/knownPredictions'
import { MICRO_MODEL } from '../helpers/models'

/**
 * The exports read every decision from the decision tables in one pass (issue 19: per-sample
 * subqueries took 7 s at 1M). What they say must be what the grid says, sample by sample: reviewed
 * (the grid's brief asks REVIEWED_SQL), marks and note (the detail panel), through labels, marks,
 * notes, undo and a confirmation, on the real API and SQLite.
 */
describe('the exports read the same decisions the grid shows', () => {
  let ctx: AppContext
  let api: ApiHandlers
  let datasetId: number
  let ids: number[]

  beforeAll(async () => {
    const root = await tempDir('pf-decisions-read-')
    for (let i = 0; i < 8; i++) await writePng(join(root, i < 4 ? 'happy' : 'sad', `f${i}.png`), 20 + i * 25)
    ctx = createContext(await tempDir('pf-decisions-read-home-'), '0.0.0')
    api = behindEdge(createApiHandlers(ctx))
    datasetId = (await api.openDataset({ root })).dataset.id
    ids = (await api.querySamples({ datasetId, filter: {}, offset: 0, limit: 10 })).samples.map((s) => s.id)
    const model = await api.addModel({ folder: MICRO_MODEL })
    await storeKnownPredictions(
      ctx,
      api,
      datasetId,
      model,
      ids.map((id, i) => [id, probs(i % 3 ? 'sadness' : 'happiness', 0.7)])
    )
    await api.setLabel({ datasetId, sampleIds: [ids[0]], label: 'anger' }) // a relabel: reviewed
    await api.setLabel({ datasetId, sampleIds: [ids[1]], label: 'anger' })
    await api.undo({ datasetId }) // undone: not reviewed
    await api.setLabel({ datasetId, sampleIds: [ids[2]], label: 'happiness' }) // its own label: confirmed, kept
    await api.setReviewFlag({ datasetId, sampleIds: [ids[3], ids[4]], flag: 'exclude', on: true })
    await api.setReviewFlag({ datasetId, sampleIds: [ids[4]], flag: 'ambiguous', on: true })
    await api.setReviewFlag({ datasetId, sampleIds: [ids[3]], flag: 'exclude', on: false }) // unmarked again
    await api.setNote({ sampleId: ids[5], note: 'looks tired' }) // a note alone reviews nothing
    await api.acceptSuggestions({ datasetId, sampleIds: [ids[6]] })
  })
  afterAll(async () => {
    if (ctx) await closeContext(ctx)
  })

  it('reviewed, marks and note agree with the grid and the detail panel for every sample', async () => {
    const decisions = datasetDecisions(ctx.db, datasetId)
    const grid = (await api.querySamples({ datasetId, filter: {}, offset: 0, limit: 10 })).samples
    for (const sample of grid) {
      const read = decisionsOf(decisions, sample.id)
      const review = await api.getSampleReview({ sampleId: sample.id })
      expect({ id: sample.id, reviewed: read.reviewed, marks: read.marks, note: read.note }).toEqual({
        id: sample.id,
        reviewed: sample.review?.reviewed ?? false,
        marks: sample.marks ?? [],
        note: review.note || null
      })
      expect(read.reviewedAt === null).toBe(!read.reviewed)
    }
    expect(decisionsOf(decisions, ids[4]).marks).toEqual(['ambiguous', 'exclude'])
    // Relabelled; undone; confirmed; marked then unmarked; marked; a note only; untouched.
    expect([0, 1, 2, 3, 4, 5, 7].map((i) => decisionsOf(decisions, ids[i]).reviewed)).toEqual([
      true,
      false,
      true,
      false,
      true,
      false,
      false
    ])
  })
})
