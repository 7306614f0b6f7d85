import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMOTIONS } from '@shared/emotions'
import { closeContext, createContext } from '@main/api/context'
import { behindEdge } from '@main/api/edge'
import { createApiHandlers } from '@main/api/service'
import { tempDir, writePng } from '../helpers/data'
import { e2eSkipReason, launchChromium, SHOTS, startServe, type RunningServer } from '../helpers/browser'
import { probs, storeKnownPredictions } from '../helpers/knownPredictions'
import { MICRO_MODEL } from '../helpers/models'

const skipReason = e2eSkipReason('e2e undo history')

/** The class the 2 key sets. */
const KEY_2 = EMOTIONS[1]

/**
 * Issue 16, item 2, as it was reported: Enter, Enter, K, N, →, 2, then Ctrl+Z twice must undo the
 * last two actions (the relabel, then the not-a-face mark), say what each undid, and put the cursor
 * on each. The predictions are written into the data folder with the store's own function before
 * `pokerface serve` starts, so which faces carry a suggestion is known; the rest is the real
 * server, the real page and real key presses.
 */
describe.skipIf(skipReason !== null)('#16.2: one undo history in the browser', () => {
  let browser: Browser
  let server: RunningServer | null = null
  let root: string
  let dataDir: string
  const ids = new Map<string, string>()

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true })
    root = join(await tempDir('pf-e2e-undo-'), 'faces')
    // In path order: a1 and a2 look sad to the model (Enter accepts sadness), the rest agree with anger.
    const predicted: Record<string, number[]> = {
      'anger/a1': probs('sadness', 0.9),
      'anger/a2': probs('sadness', 0.85),
      'anger/a3': probs('anger', 0.8),
      'anger/a4': probs('anger', 0.75),
      'anger/a5': probs('anger', 0.7),
      'anger/a6': probs('anger', 0.8),
      'sad/s1': probs('sadness', 0.8),
      'sad/s2': probs('sadness', 0.7)
    }
    let shade = 20
    for (const name of Object.keys(predicted)) await writePng(join(root, `${name}.png`), (shade += 25))
    dataDir = await tempDir('pf-e2e-undo-home-')
    const ctx = createContext(dataDir, '0.0.0')
    try {
      const api = behindEdge(createApiHandlers(ctx))
      const datasetId = (await api.openDataset({ root })).dataset.id
      const samples = (await api.querySamples({ datasetId, filter: {}, offset: 0, limit: 100 })).samples
      for (const s of samples) ids.set(s.relPath.replace('.png', ''), String(s.id))
      const model = await api.addModel({ folder: MICRO_MODEL })
      await storeKnownPredictions(
        ctx,
        api,
        datasetId,
        model,
        samples.map((s) => [s.id, predicted[s.relPath.replace('.png', '')]])
      )
    } finally {
      await closeContext(ctx)
    }
    browser = await launchChromium()
  })
  afterAll(async () => {
    await server?.stop()
    await browser?.close()
  })

  const cursorId = (page: Page) => page.locator('.tile.cursor').getAttribute('data-sample-id')
  const labelOf = (page: Page, name: string) =>
    page.locator(`.tile[data-sample-id="${ids.get(name)}"]`).getAttribute('data-label')
  // Each key waits on a write and a re-read; two busy cores can take more than the default second.
  const SLOW = { timeout: 15_000 }
  /** The status line's words, without its close button. */
  const status = (page: Page) =>
    page.locator('.notice[role="status"]').evaluate((el) => (el.firstChild as Text | null)?.textContent ?? '')
  /** Presses a key and waits for the cursor to land where that key leaves it. */
  const press = async (page: Page, key: string, cursorOn: string): Promise<void> => {
    await page.keyboard.press(key)
    await expect.poll(() => cursorId(page), SLOW).toBe(ids.get(cursorOn))
  }

  it('#16.2: Enter, Enter, K, N, →, 2, Ctrl+Z twice undoes the relabel and then the mark, naming each and going to each', async () => {
    server = await startServe([root, '--data-dir', dataDir])
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(server.url)
    await page.locator('.tile img').first().waitFor()
    await page.getByLabel('Sort by').selectOption('path')
    await page.locator(`.tile[data-sample-id="${ids.get('anger/a1')}"]`).click()
    await expect.poll(() => cursorId(page)).toBe(ids.get('anger/a1'))

    await press(page, 'Enter', 'anger/a2') // accept sadness on a1
    await press(page, 'Enter', 'anger/a3') // accept sadness on a2
    await press(page, 'k', 'anger/a4') // keep a3
    await press(page, 'n', 'anger/a5') // a4 is not a face
    await press(page, 'ArrowRight', 'anger/a6')
    await press(page, '2', 'sad/s1') // a6 relabelled with the second class
    await expect.poll(() => labelOf(page, 'anger/a6'), SLOW).toBe(KEY_2)

    await press(page, 'Control+z', 'anger/a6')
    await expect.poll(() => status(page), SLOW).toBe(`Undid: labelled anger/a6.png ${KEY_2}`)
    await expect.poll(() => labelOf(page, 'anger/a6'), SLOW).toBe('anger')
    await expect.poll(() => page.getByTestId('current-label').textContent()).toBe('anger')

    await press(page, 'Control+z', 'anger/a4')
    await expect.poll(() => status(page), SLOW).toBe('Undid: marked anger/a4.png not-a-face')
    await expect.poll(() => page.getByRole('button', { name: /^Not a face/ }).getAttribute('aria-pressed')).toBe('false')
    await page.screenshot({ path: join(SHOTS, 'undo-history-two-undos.png') })

    // Only the last two actions went: the accepted labels and the keep mark stay.
    expect(await labelOf(page, 'anger/a1')).toBe('sadness')
    expect(await labelOf(page, 'anger/a2')).toBe('sadness')
    await press(page, 'ArrowLeft', 'anger/a3')
    await expect.poll(() => page.getByRole('button', { name: /^Keep / }).getAttribute('aria-pressed')).toBe('true')

    // Redo brings the mark back, says so, and goes to it.
    await press(page, 'Control+Shift+z', 'anger/a4')
    await expect.poll(() => status(page), SLOW).toBe('Redid: marked anger/a4.png not-a-face')
    expect(errors).toEqual([])
  })
})
