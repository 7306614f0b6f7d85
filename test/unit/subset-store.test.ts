import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiHandlers, PokerFaceClient } from '@shared/api'
import { closeContext, createContext, type AppContext } from '@main/api/context'
import { behindEdge } from '@main/api/edge'
import { createApiHandlers } from '@main/api/service'
import { runReviewAction } from '@renderer/reviewCommands'
import { createReviewStore, type ReviewStore } from '@renderer/store'
import type { ViewPlace } from '@renderer/viewPlace'
import type { DatasetView } from '@renderer/viewUrl'
import { tempDir, writePng } from '../helpers/data'

/**
 * The review store's lasso and "more like this" grids (issue 17) on the real API and SQLite, the
 * client calling the handlers behind the real edge: the grid shows the ids in their order, Esc and
 * Back peel one layer at a time, and the kept view (address, browser storage) never carries ids.
 */
describe('the store: grids of chosen faces', () => {
  let ctx: AppContext
  let store: ReviewStore
  let ids: number[]
  const shown: DatasetView[] = []

  beforeAll(async () => {
    const root = await tempDir('pf-subset-')
    for (let i = 0; i < 6; i++) await writePng(join(root, i < 3 ? 'happy' : 'sad', `f${i}.png`), 30 + i * 30)
    ctx = createContext(await tempDir('pf-subset-home-'), '0.0.0')
    const api: ApiHandlers = behindEdge(createApiHandlers(ctx))
    const client: PokerFaceClient = {
      call: (name, args) => (api[name] as (a: typeof args) => Promise<never>)(args),
      on: () => () => undefined,
      imageUrl: () => '',
      modelImageUrl: () => '',
      pickFolder: null,
      transport: 'http'
    }
    const place: ViewPlace = {
      opened: () => ({
        datasetId: null,
        view: { filter: {}, sort: { by: 'path' }, selected: [], cursor: 0, scrollTop: 0 },
        ignored: [],
        reloaded: false
      }),
      show: (_id, view) => void shown.push(view),
      recall: () => null
    }
    store = createReviewStore(client, place)
    const datasetId = (await api.openDataset({ root })).dataset.id
    await store.getState().showDataset(datasetId)
    ids = (await api.querySamples({ datasetId, filter: {}, offset: 0, limit: 10 })).samples.map((s) => s.id)
  })
  afterAll(async () => {
    if (ctx) await closeContext(ctx)
  })

  const grid = (): number[] => (store.getState().pages.get(0) ?? []).map((s) => s.id)

  it('shows a lasso in its order, nests, and Esc / Back return layer by layer to the view and tab before', async () => {
    store.getState().setFilter({ currentLabel: 'sadness' })
    await expect.poll(grid).toEqual(ids.slice(3))
    store.getState().select(2)
    store.getState().setView('map')
    await store.getState().showLasso([ids[4], ids[0], ids[5]])
    expect(grid()).toEqual([ids[4], ids[0], ids[5]])
    expect(store.getState().view).toBe('grid')
    expect(store.getState().subset?.title).toBe('3 faces lassoed on the map')
    // Nothing kept outside the store names the ids: a reload shows the view the lasso came from.
    expect(shown.at(-1)?.filter).toEqual({ currentLabel: 'sadness' })

    store.getState().setFilter({ currentLabel: 'happiness' }) // filters narrow the lasso
    await expect.poll(grid).toEqual([ids[0]])
    store.getState().clearFilter() // and clearing them keeps it
    await expect.poll(grid).toEqual([ids[4], ids[0], ids[5]])

    await store.getState().showLasso([ids[1]])
    expect(grid()).toEqual([ids[1]])
    await runReviewAction(store.getState(), { type: 'close' })
    expect(grid()).toEqual([ids[4], ids[0], ids[5]])
    await store.getState().leaveSubset()
    expect(store.getState().subset).toBeNull()
    expect(store.getState().filter).toEqual({ currentLabel: 'sadness' })
    expect(store.getState().cursor).toBe(2)
    expect(store.getState().view).toBe('map')
    expect(grid()).toEqual(ids.slice(3))
  })
})
