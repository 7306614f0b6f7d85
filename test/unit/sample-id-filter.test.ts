import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiHandlers } from '@shared/api'
import { MAX_FILTER_IDS } from '@shared/types'
import { closeContext, createContext, type AppContext } from '@main/api/context'
import { behindEdge } from '@main/api/edge'
import { createApiHandlers } from '@main/api/service'
import { tempDir, writePng } from '../helpers/data'

/**
 * The grid's explicit id filter (issue 17: "more like this" and the map's lasso), through the real
 * API edge on a real SQLite file: the list's order wins over the sort, other filters still apply,
 * and the schema refuses lists over the cap.
 */
describe('querySamples filter.sampleIds', () => {
  let ctx: AppContext
  let api: ApiHandlers
  let datasetId: number
  const ids = new Map<string, number>()

  beforeAll(async () => {
    const root = await tempDir('pf-idfilter-')
    for (const [i, path] of ['happy/a.png', 'happy/b.png', 'sad/c.png', 'sad/d.png', 'neutral/e.png'].entries())
      await writePng(join(root, path), 40 + i * 30)
    ctx = createContext(await tempDir('pf-idfilter-home-'), '0.0.0')
    api = behindEdge(createApiHandlers(ctx))
    datasetId = (await api.openDataset({ root })).dataset.id
    for (const s of (await api.querySamples({ datasetId, filter: {}, offset: 0, limit: 100 })).samples)
      ids.set(s.relPath.split('/')[1], s.id)
  })
  afterAll(async () => {
    if (ctx) await closeContext(ctx)
  })

  const paths = async (sampleIds: number[], extra = {}, offset = 0, limit = 100): Promise<string[]> =>
    (await api.querySamples({ datasetId, filter: { sampleIds, ...extra }, offset, limit, sort: { by: 'path' } })).samples.map(
      (s) => s.relPath.split('/')[1]
    )
  const id = (name: string): number => ids.get(name) as number

  it('shows exactly the listed samples, in the list order, whatever the sort; a repeated id once', async () => {
    expect(await paths([id('e.png'), id('a.png'), id('d.png')])).toEqual(['e.png', 'a.png', 'd.png'])
    expect(await paths([id('d.png'), id('a.png'), id('d.png')])).toEqual(['d.png', 'a.png'])
    expect(await paths([id('e.png'), id('a.png'), id('d.png')], {}, 1, 1)).toEqual(['a.png'])
    const page = await api.querySamples({ datasetId, filter: { sampleIds: [id('c.png'), id('b.png')] }, offset: 0, limit: 10 })
    expect(page.total).toBe(2)
    expect(await paths([])).toEqual([])
  })

  it('applies the other filters on top, and locates a sample in the list order', async () => {
    expect(await paths([id('e.png'), id('c.png'), id('a.png'), id('d.png')], { currentLabel: 'sadness' })).toEqual([
      'c.png',
      'd.png'
    ])
    const where = await api.locateSample({
      datasetId,
      filter: { sampleIds: [id('e.png'), id('c.png'), id('a.png')] },
      sampleId: id('a.png')
    })
    expect(where.position).toBe(2)
  })

  it('refuses more than MAX_FILTER_IDS ids, and ids that are not sample numbers, naming the field', async () => {
    const tooMany = Array.from({ length: MAX_FILTER_IDS + 1 }, (_, i) => i + 1)
    await expect(api.querySamples({ datasetId, filter: { sampleIds: tooMany }, offset: 0, limit: 10 })).rejects.toMatchObject({
      code: 'bad_request',
      field: 'filter.sampleIds'
    })
    await expect(
      api.querySamples({ datasetId, filter: { sampleIds: [1.5] as number[] }, offset: 0, limit: 10 })
    ).rejects.toMatchObject({ code: 'bad_request', field: 'filter.sampleIds.0' })
  })
})
