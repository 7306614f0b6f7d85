import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeContext, createContext } from '@main/api/context'
import { behindEdge } from '@main/api/edge'
import { createApiHandlers } from '@main/api/service'
import { tempDir, writePng } from '../helpers/data'
import { e2eSkipReason, launchChromium, SHOTS, startServe, type RunningServer } from '../helpers/browser'
import { probs, storeKnownPredictions } from '../helpers/knownPredictions'
import { MICRO_MODEL } from '../helpers/models'

const skipReason = e2eSkipReason('e2e sidebar layout')

/** A model name with no place to break a line, as the list of models that cannot run shows it. */
const LONG_NAME = `PF-ViT-${'x'.repeat(160)}`

/**
 * Issue 16, item 13 (layout), in real Chromium at 1440×900 against `pokerface serve`: a ranked
 * dataset (so the review panel is full), a usable model and a user model whose folder lost its
 * graph, its long unbreakable name listed among the models that cannot run.
 */
describe.skipIf(skipReason !== null)('#16.13: the sidebar at 1440×900', () => {
  let browser: Browser
  let server: RunningServer | null = null

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true })
    const root = join(await tempDir('pf-e2e-layout-'), 'faces')
    const names = ['happy/h1', 'happy/h2', 'sad/s1', 'sad/s2', 'angry/a1', 'angry/a2']
    for (const [i, name] of names.entries()) await writePng(join(root, `${name}.png`), 30 + i * 35)
    const dataDir = await tempDir('pf-e2e-layout-home-')
    const ctx = createContext(dataDir, '0.0.0')
    try {
      const api = behindEdge(createApiHandlers(ctx))
      const good = join(await tempDir('pf-e2e-layout-model-'), 'micro')
      const moved = join(await tempDir('pf-e2e-layout-model-'), 'moved')
      await cp(MICRO_MODEL, good, { recursive: true })
      await cp(MICRO_MODEL, moved, { recursive: true })
      const manifest = JSON.parse(await readFile(join(moved, 'model.json'), 'utf8'))
      await writeFile(join(moved, 'model.json'), JSON.stringify({ ...manifest, id: 'pfvit-micro-moved', name: LONG_NAME }))
      const model = await api.addModel({ folder: good })
      await api.addModel({ folder: moved })
      await rm(join(moved, 'classify.onnx'))
      const datasetId = (await api.openDataset({ root })).dataset.id
      const samples = (await api.querySamples({ datasetId, filter: {}, offset: 0, limit: 100 })).samples
      await storeKnownPredictions(
        ctx,
        api,
        datasetId,
        model,
        samples.map((s, i) => [s.id, probs(i % 2 ? 'happiness' : 'sadness', 0.8)])
      )
    } finally {
      await closeContext(ctx)
    }
    browser = await launchChromium()
    server = await startServe([root, '--data-dir', dataDir])
  })
  afterAll(async () => {
    await server?.stop()
    await browser?.close()
  })

  const inViewport = (page: Page, name: RegExp) =>
    page.getByRole('button', { name }).evaluate((el) => {
      const r = el.getBoundingClientRect()
      return r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth
    })

  it('never scrolls sideways, and the Run button and its progress are in view without scrolling', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    await page.goto((server as RunningServer).url)
    await page.locator('.tile img').first().waitFor()
    const sidebar = page.locator('.sidebar')
    expect(await sidebar.evaluate((el) => el.scrollTop)).toBe(0)
    expect(await inViewport(page, /^Run on 6 images/)).toBe(true)

    await page.getByText(/1 model cannot run/).click()
    await page.getByText(LONG_NAME, { exact: false }).first().waitFor()
    const widths = await sidebar.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }))
    expect(widths.scroll).toBeLessThanOrEqual(widths.client)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1440)
    expect(await inViewport(page, /^Run on 6 images/)).toBe(true) // the list opened above it pushes nothing out of view
    await page.getByRole('button', { name: /^Run on 6 images/ }).click()
    const progress = page.getByTestId('run-status').getByRole('progressbar')
    await progress.waitFor()
    expect(
      await progress.evaluate((el) => {
        const r = el.getBoundingClientRect()
        return r.top >= 0 && r.bottom <= window.innerHeight
      })
    ).toBe(true)
    await page.getByText(/^Done: 6 new/).waitFor({ timeout: 60_000 })
    await page.screenshot({ path: join(SHOTS, 'sidebar-1440x900.png') })
    await page.close()
  })
})
