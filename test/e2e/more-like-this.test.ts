import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SimilarFaces } from '@shared/api'
import {
  callFromPage,
  e2eSkipReason,
  gridSampleIds as gridIds,
  launchChromium,
  SHOTS,
  startServe,
  type RunningServer
} from '../helpers/browser'
import { embeddedFaceFixture } from '../helpers/embeddedDataset'

const skipReason = e2eSkipReason('e2e more like this')

/** The same request the app makes, through the page's own API route and token. */
const similar = async (page: Page, sampleId: number): Promise<SimilarFaces> =>
  (await callFromPage(page, 'moreLikeThis', { sampleId, k: 48 })).body.result as SimilarFaces

/**
 * Issue 17, item 4, in real Chromium against `pokerface serve`: the face fixture run through a real
 * ONNX model that outputs embeddings; S (and the detail panel's button) shows the face's nearest
 * neighbours in the grid, most similar first, and Esc (and Back) returns to the view before.
 */
describe.skipIf(skipReason !== null)('#17.4: more like this in the browser', () => {
  let browser: Browser
  let server: RunningServer | null = null
  let faces = 0

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true })
    const fixture = await embeddedFaceFixture('pf-e2e-similar')
    faces = fixture.faces
    browser = await launchChromium()
    server = await startServe([fixture.root, '--data-dir', fixture.home])
  }, 200_000)
  afterAll(async () => {
    await server?.stop()
    await browser?.close()
  })

  it('S shows the face and its neighbours most similar first; Esc goes back to the view and cursor before', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto((server as RunningServer).url)
    await expect.poll(() => page.locator('.tile[data-sample-id]').count()).toBe(faces)
    const before = await gridIds(page)

    const tile = page.locator('.tile[data-sample-id]').nth(5)
    await tile.click()
    const focused = before[5]
    await page.keyboard.press('s')
    await page.getByTestId('subset-bar').waitFor()
    const answer = await similar(page, focused)
    expect(answer.neighbours.length).toBeGreaterThan(10)
    expect(answer.note).toBeNull()
    const expected = [focused, ...answer.neighbours.map((n) => n.sampleId)]
    await expect.poll(() => gridIds(page)).toEqual(expected)
    // Most similar first, each neighbour's similarity on its tile.
    const shown = await page.getByTestId('similarity').allTextContents()
    expect(shown).toEqual(answer.neighbours.map((n) => n.similarity.toFixed(2)))
    expect([...shown].map(Number)).toEqual([...shown].map(Number).sort((a, b) => b - a))
    expect(await page.getByTestId('subset-bar').textContent()).toContain(`its ${answer.neighbours.length} nearest faces`)
    expect(await page.locator('.notice').textContent()).toContain('Esc goes back')
    await page.screenshot({ path: join(SHOTS, 'more-like-this.png') })

    await page.keyboard.press('Escape')
    await expect.poll(() => page.getByTestId('subset-bar').count()).toBe(0)
    await expect.poll(() => gridIds(page)).toEqual(before)
    expect(await page.locator('.tile.cursor').getAttribute('data-sample-id')).toBe(String(focused))

    // The detail panel's button does the same, from a neighbour too; Back peels one layer at a time.
    await page.getByRole('button', { name: 'More like this' }).click()
    await expect.poll(() => gridIds(page)).toEqual(expected)
    await page.locator('.tile[data-sample-id]').nth(1).click()
    await page.getByRole('button', { name: 'More like this' }).click()
    await expect.poll(async () => (await gridIds(page))[0]).toBe(expected[1])
    await page.getByRole('button', { name: '← Back' }).click()
    await expect.poll(() => gridIds(page)).toEqual(expected)
    await page.getByRole('button', { name: '← Back' }).click()
    await expect.poll(() => gridIds(page)).toEqual(before)

    // The key is in the shortcuts list.
    await page.keyboard.press('?')
    await expect.poll(() => page.getByText(/More like this: the face and its nearest faces/).count()).toBe(1)
    expect(errors).toEqual([])
    await page.close()
  })
})
