import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ApiEvents, ApiHandlers, EventName, PokerFaceClient, RequestName } from '@shared/api'
import { closeContext, createContext, type AppContext } from '@main/api/context'
import { behindEdge } from '@main/api/edge'
import { createApiHandlers } from '@main/api/service'
import { COUNTS_DELAY_MS } from '@renderer/gridSlice'
import { patchPages, viewFollowsDecisions } from '@renderer/pagePatch'
import { createReviewStore, type ReviewStore } from '@renderer/store'
import type { Sample } from '@shared/types'
import { tempDir, writePng } from '../helpers/data'

const row = (id: number, currentLabel: Sample['currentLabel'] = 'happiness'): Sample => ({
  id,
  relPath: `f${id}.png`,
  split: null,
  originalLabel: 'happiness',
  currentLabel,
  size: 1
})

describe('patching loaded pages (pure)', () => {
  it('replaces the rows it has and keeps every other page, and the Map itself when none is loaded', () => {
    const first = [row(1), row(2)]
    const second = [row(3)]
    const pages = new Map([
      [0, first],
      [1, second]
    ])
    expect(patchPages(pages, new Map([[9, row(9, 'anger')]]))).toBe(pages)
    const next = patchPages(pages, new Map([[2, row(2, 'anger')]]))
    expect(next).not.toBe(pages)
    expect(next.get(0)?.map((s) => s.currentLabel)).toEqual(['happiness', 'anger'])
    expect(next.get(1)).toBe(second) // an untouched page keeps its identity: its tiles do not re-render
    expect(pages.get(0)?.[1].currentLabel).toBe('happiness') // the old Map is not mutated
  })

  it('says which views a decision can reshape', () => {
    expect(viewFollowsDecisions({})).toBe(false)
    expect(viewFollowsDecisions({ split: 'valid', predictedLabel: 'anger', flaggedOnly: true })).toBe(false)
    expect(viewFollowsDecisions({ currentLabel: null })).toBe(true)
    expect(viewFollowsDecisions({ reviewed: false })).toBe(true)
    expect(viewFollowsDecisions({ flag: 'exclude' })).toBe(true)
    expect(viewFollowsDecisions({ changedOnly: true })).toBe(true)
  })
})

/**
 * "Renderer state that scales" (issue 16): a key press is one write call, whose answer patches the
 * decided tile; the pages are not fetched again, and the counts beside the grid are re-read once for
 * a burst of key presses. The store runs on the real API and SQLite behind the real edge, with the
 * main side's events delivered as a transport would, and every call recorded by name.
 */
describe('the store: decisions patch the grid', () => {
  let ctx: AppContext
  let store: ReviewStore
  let api: ApiHandlers
  let datasetId: number
  const calls: RequestName[] = []
  /** While set, page answers wait for it, as on a slow connection (the query itself has run). */
  let slowPages: Promise<void> | null = null

  beforeAll(async () => {
    const root = await tempDir('pf-grid-patch-')
    for (let i = 0; i < 8; i++) await writePng(join(root, i < 4 ? 'happy' : 'sad', `f${i}.png`), 20 + i * 25)
    ctx = createContext(await tempDir('pf-grid-patch-home-'), '0.0.0')
    api = behindEdge(createApiHandlers(ctx))
    const client: PokerFaceClient = {
      call: (name, args) => {
        calls.push(name)
        const answer = (api[name] as (a: typeof args) => Promise<never>)(args)
        const wait = slowPages
        return name === 'querySamples' && wait ? answer.then(async (a) => (await wait, a)) : answer
      },
      // As over SSE or IPC: a copy of the payload, after the call that caused it has run on.
      on: <E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void) =>
        ctx.events.subscribe((name, payload) => {
          if (String(name) === event) setTimeout(() => listener(structuredClone(payload) as ApiEvents[E]), 0)
        }),
      imageUrl: () => '',
      modelImageUrl: () => '',
      pickFolder: null,
      transport: 'http'
    }
    store = createReviewStore(client, null)
    datasetId = (await api.openDataset({ root })).dataset.id
    await store.getState().init()
    await store.getState().showDataset(datasetId)
  })
  afterAll(async () => {
    if (ctx) await closeContext(ctx)
  })
  beforeEach(async () => {
    // Counts re-read by an earlier test land before this one counts calls.
    await new Promise((r) => setTimeout(r, COUNTS_DELAY_MS + 50))
    calls.length = 0
  })

  const tile = (index: number): Sample | undefined => store.getState().sampleAt(index)

  it('a relabel key press in the default view is one write call, and the tile shows it when it returns', async () => {
    store.getState().select(0)
    const id = tile(0)!.id
    const pages = store.getState().pages
    await store.getState().labelSelection('anger')
    expect(calls).toEqual(['setLabel'])
    expect(tile(0)).toMatchObject({ id, currentLabel: 'anger' })
    expect(store.getState().pages.get(0)).not.toBe(pages.get(0))
    expect(store.getState().cursor).toBe(1)
    expect(store.getState().canUndo).toBe(true)
  })

  it('a burst of key presses re-reads the counts once, after it', async () => {
    store.getState().select(1)
    await store.getState().labelSelection('fear')
    await store.getState().labelSelection('fear')
    await store.getState().toggleFlag('exclude')
    expect(calls).toEqual(['setLabel', 'setLabel', 'setReviewFlag'])
    expect(tile(3)?.marks).toEqual(['exclude'])
    await expect.poll(() => calls.filter((c) => c === 'getDataset').length, { timeout: 3000 }).toBe(1)
    expect(calls.filter((c) => c === 'getReviewMetrics')).toHaveLength(1)
    expect(calls).not.toContain('querySamples')
    expect(store.getState().dataset?.changedCount).toBe(3)
  })

  it('a view the decision reshapes is counted again: the decided face leaves it', async () => {
    store.getState().setFilter({ currentLabel: 'sadness' })
    await expect.poll(() => store.getState().total).toBe(4)
    store.getState().select(0)
    const leaving = tile(0)!.id
    await store.getState().labelSelection('neutral')
    expect(store.getState().total).toBe(3)
    expect(tile(0)?.id).not.toBe(leaving)
    expect(store.getState().cursor).toBe(0) // the next face slid into place
    store.getState().clearFilter()
  })

  it('undo patches the tile back and names the step', async () => {
    await expect.poll(() => store.getState().total).toBe(8)
    const before = calls.length
    await store.getState().undo()
    expect(calls.slice(before)).toEqual(['undo', 'locateSample'])
    const cursor = store.getState().cursor
    expect(tile(cursor)?.currentLabel).toBe('sadness')
    expect(store.getState().notice?.text).toMatch(/^Undid: /)
  })

  it("another window's decision on a view it reshapes counts the view again: the face leaves", async () => {
    store.getState().setFilter({ currentLabel: 'sadness' })
    await expect.poll(() => store.getState().total).toBe(4)
    calls.length = 0
    const leaving = tile(1)!.id
    await api.setLabel({ datasetId, sampleIds: [leaving], label: 'neutral' })
    await expect.poll(() => store.getState().total).toBe(3)
    expect(
      store
        .getState()
        .pages.get(0)
        ?.map((s) => s.id)
    ).not.toContain(leaving)
    expect(calls).toContain('querySamples')
    store.getState().clearFilter()
    await expect.poll(() => store.getState().total).toBe(8)
    calls.length = 0
  })

  it('a decision that lands while the grid is being read again is not lost when the read lands', async () => {
    let arrive = (): void => undefined
    slowPages = new Promise((done) => (arrive = done))
    const id = tile(2)!.id
    const reading = store.getState().refreshGrid({ summary: false })
    await new Promise((r) => setTimeout(r, 50)) // the read has been answered by the database, not yet delivered
    const decided = await api.setLabel({ datasetId, sampleIds: [id], label: 'contempt' })
    store.getState().patchSamples(decided.samples ?? [])
    expect(tile(2)?.currentLabel).toBe('contempt')
    arrive()
    slowPages = null
    await reading
    expect(tile(2)).toMatchObject({ id, currentLabel: 'contempt' })
  })

  it("another window's decision reaches the loaded tiles through the event, with no page fetch", async () => {
    const target = tile(6)!
    await api.setLabel({ datasetId, sampleIds: [target.id], label: 'surprise' })
    await expect.poll(() => tile(6)?.currentLabel).toBe('surprise')
    expect(calls).not.toContain('querySamples')
  })
})
