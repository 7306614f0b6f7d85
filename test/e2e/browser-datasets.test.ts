import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeContext, createContext } from '@main/api/context'
import { behindEdge } from '@main/api/edge'
import { createApiHandlers } from '@main/api/service'
import { tempDir, writePng } from '../helpers/data'
import { e2eSkipReason, launchChromium, SHOTS, startServe, type RunningServer } from '../helpers/browser'
import { probs, storeKnownPredictions } from '../helpers/knownPredictions'
import { MICRO_MODEL } from '../helpers/models'

const skipReason = e2eSkipReason('e2e browser datasets')

/** Enough anger faces that the filtered grid scrolls at 1440×900; each a different shade (no duplicates). */
const ANGER = 200
const SAD = 30

/**
 * Issue 16, items 6 and 7, in real Chromium against the real `pokerface serve`: datasets are
 * opened, switched and closed from the header, and a dataset's view (order, filter, selection,
 * scroll) survives a switch, a reload, and a copy of the address into another tab.
 */
describe.skipIf(skipReason !== null)('#16.6 and #16.7: browser mode is a whole app', () => {
  let browser: Browser
  let context: BrowserContext
  let server: RunningServer | null = null
  let faces: string
  let others: string
  let dataDir: string

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true })
    const base = await tempDir('pf-e2e-datasets-')
    faces = join(base, 'faces')
    others = join(base, 'others')
    for (let i = 0; i < ANGER; i++) await writePng(join(faces, 'anger', `a${String(i).padStart(3, '0')}.png`), i)
    for (let i = 0; i < SAD; i++) await writePng(join(faces, 'sad', `s${String(i).padStart(3, '0')}.png`), 220 + i)
    for (let i = 0; i < 5; i++) await writePng(join(others, 'happy', `h${i}.png`), 40 * i, 40)
    // Stored predictions rank `faces`, so the "most likely wrong" order can be chosen in the page.
    dataDir = await tempDir('pf-e2e-datasets-home-')
    const ctx = createContext(dataDir, '0.0.0')
    try {
      const api = behindEdge(createApiHandlers(ctx))
      const datasetId = (await api.openDataset({ root: faces })).dataset.id
      const samples = (await api.querySamples({ datasetId, filter: {}, offset: 0, limit: 1000 })).samples
      const model = await api.addModel({ folder: MICRO_MODEL })
      await storeKnownPredictions(
        ctx,
        api,
        datasetId,
        model,
        samples.map((s, i) => [s.id, probs(i % 3 === 0 ? 'sadness' : 'anger', 0.5 + (i % 7) / 20)])
      )
    } finally {
      await closeContext(ctx)
    }
    browser = await launchChromium()
    // One context: its tabs share the cookie the printed URL set, as a researcher's browser does.
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  })
  afterAll(async () => {
    await server?.stop()
    await browser?.close()
  })

  const SLOW = { timeout: 15_000 }
  const datasetShown = (page: Page) =>
    page.getByLabel('Dataset', { exact: true }).evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.text)
  const count = (page: Page) => page.getByTestId('counts').textContent()
  const param = (page: Page, name: string) => new URL(page.url()).searchParams.get(name)
  const scrollTop = (page: Page) => page.getByTestId('grid').evaluate((el) => el.scrollTop)
  /** What the view shows: order, filter, matches, selection, scroll. */
  const viewOf = async (page: Page) => ({
    dataset: await datasetShown(page),
    sort: await page.getByLabel('Sort by').inputValue(),
    label: await page.getByLabel('Current label').inputValue(),
    matches: await page.getByTestId('match-count').textContent(),
    selected: await page.locator('.tile.selected').getAttribute('data-sample-id'),
    scroll: await scrollTop(page)
  })

  it('#16.6: a second dataset is opened, switched to and back, and closed from the header; a reload shows the dataset in the address', async () => {
    server = await startServe([faces, '--data-dir', dataDir])
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(server.url)
    await expect.poll(() => datasetShown(page), SLOW).toBe('faces')
    expect(param(page, 'token')).toBeNull()
    await expect.poll(() => param(page, 'dataset'), SLOW).not.toBeNull()
    const facesInAddress = param(page, 'dataset')

    await page.getByRole('button', { name: 'Open…' }).click()
    await page.getByLabel('Folder to open').fill(others)
    await page.getByLabel('Folder to open').press('Enter')
    await expect.poll(() => datasetShown(page), SLOW).toBe('others')
    // The address names the new dataset as soon as it is shown (not after the in-dataset write
    // delay), so a reload at any moment from here comes back to it.
    const othersInAddress = param(page, 'dataset')
    expect(othersInAddress).not.toBeNull()
    expect(othersInAddress).not.toBe(facesInAddress)
    await expect.poll(() => count(page), SLOW).toMatch(/^5 images/)
    await page.screenshot({ path: join(SHOTS, 'browser-datasets-second.png') })

    // After `serve -- faces`, a reload returns to the dataset the address names, not the startup folder.
    await page.reload()
    await expect.poll(() => datasetShown(page), SLOW).toBe('others')
    await expect.poll(() => count(page), SLOW).toMatch(/^5 images/)

    await page.getByLabel('Dataset', { exact: true }).selectOption({ label: 'faces' })
    await expect.poll(() => count(page), SLOW).toMatch(/^230 images/)

    await page.getByRole('button', { name: 'Close dataset' }).click()
    await expect(page.getByRole('heading', { name: 'Open a dataset' }).isVisible()).resolves.toBe(true)
    await expect.poll(() => param(page, 'dataset'), SLOW).toBeNull()
    // Closed stays closed on a reload.
    await page.reload()
    await page.getByRole('heading', { name: 'Open a dataset' }).waitFor()
    await expect.poll(() => page.getByRole('button', { name: 'others' }).count(), SLOW).toBe(1)
    expect(errors).toEqual([])
    await page.close()
  })

  it('#16.7: order, filter, selection and scroll survive a switch away and back, a reload, and the address opened in a new tab', async () => {
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(server!.url)
    await expect.poll(() => datasetShown(page), SLOW).toBe('faces')

    await page.getByLabel('Sort by').selectOption('likelyWrong')
    await page.getByLabel('Current label').selectOption('anger')
    await expect.poll(() => page.getByTestId('match-count').textContent(), SLOW).toBe(`${ANGER} matching`)
    const third = page.locator('.tile[data-sample-id]').nth(2)
    const picked = await third.getAttribute('data-sample-id')
    await third.click()
    await expect.poll(() => page.locator('.tile.selected').getAttribute('data-sample-id')).toBe(picked)
    // Scrolled away from the top, but not so far that the selected tile's row leaves the DOM.
    await page.getByTestId('grid').evaluate((el) => (el.scrollTop = 300))
    await expect.poll(() => param(page, 'scroll'), SLOW).toBe('300')
    const view = await viewOf(page)
    expect(view).toEqual({
      dataset: 'faces',
      sort: 'likelyWrong',
      label: 'anger',
      matches: `${ANGER} matching`,
      selected: picked,
      scroll: 300
    })
    expect(param(page, 'sort')).toBe('likelyWrong')
    expect(param(page, 'label')).toBe('anger')

    // Another dataset has its own view; coming back finds this one as it was left.
    await page.getByLabel('Dataset', { exact: true }).selectOption({ label: 'others' })
    await expect.poll(() => page.getByTestId('match-count').textContent(), SLOW).toBe('5 images')
    await page.getByLabel('Dataset', { exact: true }).selectOption({ label: 'faces' })
    await expect.poll(() => viewOf(page), SLOW).toEqual(view)
    // The scroll comes back after the dataset, so its address write may still be waiting its 250 ms.
    await expect.poll(() => param(page, 'scroll'), SLOW).toBe('300')

    await page.reload()
    await expect.poll(() => viewOf(page), SLOW).toEqual(view)
    await page.screenshot({ path: join(SHOTS, 'browser-datasets-view-after-reload.png') })

    // The address, copied into a new tab (no token in it: the tab has the cookie), shows the same view.
    const shared = await context.newPage()
    await shared.goto(page.url())
    await expect.poll(() => viewOf(shared), SLOW).toEqual(view)
    expect(errors).toEqual([])
  })
})
