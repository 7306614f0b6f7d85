import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ReviewFlag } from '@shared/types'
import { closeContext, createContext } from '@main/api/context'
import { behindEdge } from '@main/api/edge'
import { createApiHandlers } from '@main/api/service'
import { tempDir, writePng } from '../helpers/data'
import { e2eSkipReason, launchChromium, SHOTS, startServe, type RunningServer } from '../helpers/browser'

const skipReason = e2eSkipReason('e2e marks and theme')

/** Which face carries which mark; the fifth has none. */
const MARKED: Record<string, ReviewFlag> = {
  'anger/a1': 'keep',
  'anger/a2': 'not_a_face',
  'happy/h1': 'ambiguous',
  'happy/h2': 'exclude'
}

/**
 * Issue 16, items 8 and 13 (layout), in real Chromium against `pokerface serve`: a class-folder
 * dataset without split folders, its four marks set through the real API before the server starts.
 */
describe.skipIf(skipReason !== null)('#16.8 and #16.13: marks, theme and the Split filter in the browser', () => {
  let browser: Browser
  let server: RunningServer | null = null
  let root: string
  let dataDir: string
  const ids = new Map<string, string>()

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true })
    root = join(await tempDir('pf-e2e-marks-'), 'faces')
    let shade = 30
    for (const name of [...Object.keys(MARKED), 'happy/h3']) await writePng(join(root, `${name}.png`), (shade += 30))
    dataDir = await tempDir('pf-e2e-marks-home-')
    const ctx = createContext(dataDir, '0.0.0')
    try {
      const api = behindEdge(createApiHandlers(ctx))
      const datasetId = (await api.openDataset({ root })).dataset.id
      const samples = (await api.querySamples({ datasetId, filter: {}, offset: 0, limit: 100 })).samples
      for (const s of samples) ids.set(s.relPath.replace('.png', ''), String(s.id))
      for (const [name, flag] of Object.entries(MARKED))
        await api.setReviewFlag({ datasetId, sampleIds: [Number(ids.get(name))], flag, on: true })
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

  const open = async (colorScheme: 'light' | 'dark'): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme })
    await page.goto((server as RunningServer).url)
    await page.locator('.tile img').first().waitFor()
    return page
  }
  const tile = (page: Page, name: string) => page.locator(`.tile[data-sample-id="${ids.get(name)}"]`)

  it('#16.8: keep, not-a-face, ambiguous and exclude each show their own icon and colour on the tile and a filled, pressed button in the detail panel', async () => {
    const page = await open('dark')
    const looks: { mark: string | null; icon: string | null; label: string | null; colour: string }[] = []
    for (const name of Object.keys(MARKED)) {
      const mark = tile(page, name).locator('.mark')
      await expect.poll(() => mark.count()).toBe(1)
      looks.push({
        mark: await mark.getAttribute('data-mark'),
        icon: await mark.textContent(),
        label: await mark.getAttribute('aria-label'),
        colour: await mark.evaluate((el) => getComputedStyle(el).backgroundColor)
      })
    }
    expect(looks.map((l) => l.mark)).toEqual(Object.values(MARKED))
    expect(new Set(looks.map((l) => l.icon)).size).toBe(4)
    expect(new Set(looks.map((l) => l.colour)).size).toBe(4)
    expect(looks.map((l) => l.label)).toEqual(['Keep', 'Not a face', 'Ambiguous', 'Exclude'])
    expect(await tile(page, 'happy/h3').locator('.mark').count()).toBe(0)

    // The detail panel: the excluded face's Exclude button is pressed and filled with the tile's colour.
    await tile(page, 'happy/h2').click()
    const exclude = page.getByRole('button', { name: /^Exclude/ })
    await expect.poll(() => exclude.getAttribute('aria-pressed')).toBe('true')
    expect(await exclude.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(looks[3].colour)
    const ambiguous = page.getByRole('button', { name: /^Ambiguous/ })
    expect(await ambiguous.getAttribute('aria-pressed')).toBe('false')
    expect(await ambiguous.evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe(looks[2].colour)
    await page.screenshot({ path: join(SHOTS, 'marks-dark.png') })
    await page.close()
  })

  it('#16.13: with the system set to light, the page is light; set to dark, it is dark', async () => {
    const luminance = async (page: Page): Promise<number> =>
      page.evaluate(() => {
        const [r, g, b] = (getComputedStyle(document.body).backgroundColor.match(/\d+/g) ?? []).map(Number)
        return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255
      })
    const light = await open('light')
    expect(await luminance(light)).toBeGreaterThan(0.8)
    await light.screenshot({ path: join(SHOTS, 'marks-light.png') })
    await light.close()
    const dark = await open('dark')
    expect(await luminance(dark)).toBeLessThan(0.2)
    await dark.close()
  })

  it('#16.13: the Split filter of a folder without split folders offers no train, valid or test', async () => {
    const page = await open('dark')
    const values = await page
      .getByLabel('Split', { exact: true })
      .locator('option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))
    expect(values).toEqual([''])
    await page.close()
  })
})
