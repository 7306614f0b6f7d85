import { join } from 'node:path'
import type { ApiEvents, ApiHandlers } from '@shared/api'
import { afterEach, describe, expect, it } from 'vitest'
import { createContext, type AppContext } from '@main/api/context'
import { behindEdge } from '@main/api/edge'
import { createApiHandlers } from '@main/api/service'
import { GROUPING } from '@main/duplicates/findDuplicates'
import { groupingProducedBy } from '@main/store/duplicates'
import { tempDir } from '../helpers/data'
import { duplicatesDataset } from '../helpers/duplicates'

/**
 * Issue 19: the app's open returns once the samples are stored, and the duplicate search (decoding
 * every new image: ten minutes of a 300,000-face first open) runs behind it — one per dataset, said
 * by an event when it ends, cancelled by the open screen's Cancel, and finished by the next open
 * when it was cut short.
 */
describe('the duplicate search behind an open', () => {
  let ctx: AppContext | null = null
  afterEach(async () => {
    await ctx?.duplicateSearches.stopAll()
    ctx?.db.close()
    ctx = null
  })

  async function setUp(): Promise<{ api: ApiHandlers; root: string; ends: ApiEvents['duplicatesSearched'][] }> {
    const root = join(await tempDir('pf-dups-bg-'), 'faces')
    await duplicatesDataset(root)
    ctx = createContext(await tempDir('pf-dups-bg-home-'), '0.0.0')
    const ends: ApiEvents['duplicatesSearched'][] = []
    ctx.events.subscribe((event, payload) => {
      if (event === 'duplicatesSearched') ends.push(payload as ApiEvents['duplicatesSearched'])
    })
    return { api: behindEdge(createApiHandlers(ctx)), root, ends }
  }
  const queue = async (api: ApiHandlers, datasetId: number) =>
    (await api.querySamples({ datasetId, filter: { duplicates: 'any' }, offset: 0, limit: 100 })).total

  it('answers the open with the samples stored and the search still running; its end is announced and the queue filled', async () => {
    const { api, root, ends } = await setUp()
    const c = ctx as AppContext
    const { dataset, report } = await api.openDataset({ root })
    expect(report.added).toBe(26)
    expect(dataset.sampleCount).toBe(26)
    // Asked before anything awaited: settled answers null when no search runs.
    const running = c.duplicateSearches.settled(dataset.id)
    expect(groupingProducedBy(c.db, dataset.id)).toBeNull()

    const end = await running
    // 26 files, 25 contents (one byte-for-byte copy); the open itself decoded none of them.
    expect(end).toEqual({ outcome: 'done', fingerprinted: 25, grouped: true })
    expect(ends).toEqual([{ datasetId: dataset.id, outcome: 'done', grouped: true }])
    expect(groupingProducedBy(c.db, dataset.id)).toBe(GROUPING)
    expect(await queue(api, dataset.id)).toBe(4)
    expect(await c.duplicateSearches.settled(dataset.id)).toBeNull()
  })

  it('Cancel stops the search and keeps the dataset; the next open finishes the search', async () => {
    const { api, root, ends } = await setUp()
    const c = ctx as AppContext
    const { dataset } = await api.openDataset({ root })
    expect(await api.cancelScan({ root })).toEqual({ cancelled: true })
    expect(await c.duplicateSearches.settled(dataset.id)).toEqual({ outcome: 'cancelled' })
    expect(ends.at(-1)).toMatchObject({ outcome: 'cancelled', grouped: false })
    expect(groupingProducedBy(c.db, dataset.id)).toBeNull()
    expect((await api.getDataset({ datasetId: dataset.id })).sampleCount).toBe(26)

    // Nothing changed on disk, so the reopen reuses the scan; the search still runs, and finishes.
    const again = await api.openDataset({ root })
    expect(again.report.reusedScanOf).toBeTruthy()
    expect(await c.duplicateSearches.settled(dataset.id)).toMatchObject({ outcome: 'done', grouped: true })
    expect(groupingProducedBy(c.db, dataset.id)).toBe(GROUPING)
    expect(await queue(api, dataset.id)).toBe(4)
  })

  it('a listener that throws (a window gone mid-event) fails neither the open nor the search behind it', async () => {
    const { api, root } = await setUp()
    const c = ctx as AppContext
    c.events.subscribe(() => {
      throw new Error('window closed')
    })
    const { dataset } = await api.openDataset({ root })
    expect(await c.duplicateSearches.settled(dataset.id)).toMatchObject({ outcome: 'done', grouped: true })
    await api.openDataset({ root })
    expect(await c.duplicateSearches.settled(dataset.id)).toMatchObject({ outcome: 'done' })
    expect(await queue(api, dataset.id)).toBe(4)
  })

  it('a second open while the search runs replaces it: the first is cancelled, never both storing at once', async () => {
    const { api, root, ends } = await setUp()
    const c = ctx as AppContext
    const { dataset } = await api.openDataset({ root })
    await api.openDataset({ root })
    const end = await c.duplicateSearches.settled(dataset.id)
    expect(end).toMatchObject({ outcome: 'done', grouped: true })
    expect(ends.map((e) => e.outcome)).toEqual(['cancelled', 'done'])
    expect(groupingProducedBy(c.db, dataset.id)).toBe(GROUPING)
    expect(await queue(api, dataset.id)).toBe(4)
  })
})
