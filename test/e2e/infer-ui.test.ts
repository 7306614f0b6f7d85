import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildFerplusImageFolder, HAS_FERPLUS, NO_FERPLUS_REASON, tempDir } from '../helpers/data'
import { e2eSkipReason, launchChromium, SHOTS, startServe, type RunningServer } from '../helpers/browser'
import { MICRO_MODEL } from '../helpers/models'

const skipReason = e2eSkipReason('e2e infer', { dataReason: HAS_FERPLUS ? null : NO_FERPLUS_REASON })

describe.skipIf(skipReason !== null)('running the model from the workspace (browser mode)', () => {
  let browser: Browser
  let server: RunningServer | null = null

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true })
    browser = await launchChromium()
  })
  afterAll(async () => {
    await server?.stop()
    await browser?.close()
  })

  it('adds a model, runs it with a live progress bar, and shows the prediction and poker face', async () => {
    const dataset = join(await tempDir('pf-e2e-infer-'), 'faces')
    const { files } = await buildFerplusImageFolder(dataset, 12)
    server = await startServe([dataset, '--data-dir', await tempDir('pf-e2e-infer-home-')])
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(server.url)
    await page.locator('.tile img').first().waitFor()

    await page.getByText('No model installed yet').waitFor()
    await page.getByLabel('Model folder').fill(MICRO_MODEL)
    await page.getByRole('button', { name: 'Add', exact: true }).click()
    await expect.poll(() => page.getByLabel('Model to run').inputValue()).toBe('pfvit-micro-test')
    await page.getByLabel('Hardware').selectOption('cpu')
    await page.getByRole('button', { name: `Run on ${files.length} images` }).click()
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toMatch(/Done: \d+ new/)
    await expect
      .poll(() => page.getByTestId('run-hardware').textContent())
      .toMatch(/^pfvit-micro-test on cpu, \d+ threads, batch 16/)

    await page.locator('.tile[data-sample-id]').first().click()
    await page.getByTestId('prediction').waitFor()
    expect(await page.getByTestId('prediction').textContent()).toMatch(/Model says \w+ \(\d+ %\)/)
    // The compare strip: original (48 px), then reconstruction, poker face, emotion component at the
    // model's 32 px, and the emotion map (the 48 px face under the 32 px map).
    await expect
      .poll(() => page.locator('.compare-modes img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth)))
      .toEqual([48, 32, 32, 32, 48, 32])
    await page.screenshot({ path: join(SHOTS, '05-prediction.png') })
    // Beside the poker face, what the model's card measured: the test model has no poker-face check.
    await page.getByRole('button', { name: 'Poker face', exact: true }).click()
    await expect.poll(() => page.getByTestId('separation-note').textContent()).toMatch(/^Not measured: .*unverified/)
    await page.getByRole('button', { name: 'Original', exact: true }).click()
    expect(await page.getByTestId('separation-note').count()).toBe(0)
    expect(errors).toEqual([])
  })
})
