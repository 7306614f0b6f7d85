import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/data'
import { callFromPage, e2eSkipReason, launchChromium, SHOTS, startServe, type RunningServer } from '../helpers/browser'
import { DUPLICATED_FACE, duplicatesDataset, FACE_COPIES } from '../helpers/duplicates'

const skipReason = e2eSkipReason('e2e duplicates queue')

/**
 * A 320-px JPEG of seeded smooth noise (16 × 16 random values, enlarged): unlike flat faces no two
 * are near duplicates, and each takes a real decode, as a dataset's photos do.
 */
async function noiseJpeg(seed: number): Promise<Buffer> {
  let x = seed * 2654435761 + 1
  const pixels = Buffer.alloc(16 * 16)
  for (let i = 0; i < pixels.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    pixels[i] = x >>> 24
  }
  return sharp(pixels, { raw: { width: 16, height: 16, channels: 1 } })
    .resize(320, 320)
    .jpeg({ quality: 85 })
    .toBuffer()
}

const GROUP = [DUPLICATED_FACE, FACE_COPIES.bytes, FACE_COPIES.reencoded, FACE_COPIES.mirroredShifted]

/**
 * Issue 17, item 1, in real Chromium against `pokerface serve`: the face fixture with one face copied
 * three times (byte for byte into test/, re-encoded into test/, mirrored and shifted as a JPEG into
 * train/sad/), found by the real scan; the Duplicates queue shows the group, D keeps one, the export
 * leaves the others out, and undo brings them back.
 */
describe.skipIf(skipReason !== null)('#17.1: the duplicates queue and keep-one in the browser', () => {
  let browser: Browser
  let server: RunningServer | null = null
  let root: string
  let exports: string

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true })
    root = join(await tempDir('pf-e2e-dups-'), 'faces')
    await duplicatesDataset(root)
    exports = await tempDir('pf-e2e-dups-out-')
    browser = await launchChromium()
    server = await startServe([root, '--data-dir', await tempDir('pf-e2e-dups-home-')])
  })
  afterAll(async () => {
    await server?.stop()
    await browser?.close()
  })

  const tile = (page: Page, relPath: string) => page.locator(`.tile[title="${relPath}"]`)
  const notice = (page: Page) => page.locator('.notice').textContent()
  /** The cleaned CSV export's paths, through the page's own API route and token. */
  const exported = async (page: Page, name: string): Promise<string[]> => {
    const path = join(exports, name)
    const { status } = await callFromPage(page, 'exportLabels', { datasetId: 1, format: 'csv', path, overwrite: false })
    expect(status).toBe(200)
    return (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((row) => row.split(',')[0])
  }

  it('lists the group side by side with its leakage and label badges; D keeps one and excludes the rest; undo restores; the export follows', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    await page.goto((server as RunningServer).url)
    await page.locator('.tile img').first().waitFor()
    expect(await exported(page, 'before.csv')).toHaveLength(26)

    await page.getByLabel('Duplicates', { exact: true }).selectOption('any')
    await expect.poll(() => page.locator('.tile[data-sample-id]').count()).toBe(4)
    expect(await page.getByTestId('duplicates-hint').textContent()).toContain('D keeps the face under the cursor')
    const shown = await page.locator('.tile[data-sample-id]').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('title')))
    expect([...shown].sort()).toEqual([...GROUP].sort())
    const badges = page.getByTestId('duplicate-badge')
    expect(new Set(await badges.evaluateAll((els) => els.map((e) => e.getAttribute('data-group')))).size).toBe(1)
    expect(await page.getByTestId('duplicate-leak').count()).toBe(4)
    expect(await page.getByTestId('duplicate-disagree').count()).toBe(4)
    // Exact copies say =, the mirrored and shifted JPEG ≈.
    expect(await tile(page, FACE_COPIES.reencoded).getByTestId('duplicate-badge').textContent()).toMatch(/^=4/)
    expect(await tile(page, FACE_COPIES.mirroredShifted).getByTestId('duplicate-badge').textContent()).toMatch(/^≈4/)
    await page.screenshot({ path: join(SHOTS, 'duplicates-queue.png') })

    await tile(page, FACE_COPIES.reencoded).click()
    await page.keyboard.press('d')
    await expect.poll(() => notice(page)).toContain(`kept ${FACE_COPIES.reencoded} of its duplicates, excluded 3 others`)
    for (const relPath of GROUP) {
      const marks = tile(page, relPath).locator('.mark-exclude')
      await expect.poll(() => marks.count()).toBe(relPath === FACE_COPIES.reencoded ? 0 : 1)
    }
    const kept = await exported(page, 'kept.csv')
    expect(kept).toHaveLength(23)
    expect(kept).toContain(FACE_COPIES.reencoded)
    expect(kept.filter((p) => GROUP.includes(p))).toEqual([FACE_COPIES.reencoded])

    await page.keyboard.press('Control+z')
    await expect.poll(() => notice(page)).toContain('Undid: kept')
    await expect.poll(() => page.locator('.tile .mark-exclude').count()).toBe(0)
    expect(await exported(page, 'undone.csv')).toHaveLength(26)

    // The key is in the shortcuts list.
    await page.keyboard.press('?')
    await expect.poll(() => page.getByText(/Duplicates: keep this face/).count()).toBe(1)
    await page.close()
  })

  it('#19: a folder opened from the page is shown at once, and its duplicate badges come, unasked, when the search behind the open ends', async () => {
    // 600 distinct photos, so that the search (decoding each: seconds, where showing the grid takes
    // a fraction of one) outlasts the open, and one photo twice, first in path order: its tiles are
    // on screen when the search ends.
    const other = join(await tempDir('pf-e2e-dups-bg-'), 'more')
    await mkdir(join(other, 'faces'), { recursive: true })
    for (let i = 0; i < 600; i++)
      await writeFile(join(other, 'faces', `noise${String(i).padStart(3, '0')}.jpg`), await noiseJpeg(i))
    await mkdir(join(other, 'a'), { recursive: true })
    for (const name of ['copy1.jpg', 'copy2.jpg']) await writeFile(join(other, 'a', name), await noiseJpeg(1000))
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    await page.goto((server as RunningServer).url)
    await page.locator('.tile img').first().waitFor()
    const phases: string[] = []
    await page.exposeFunction('notePhase', (text: string) => phases.push(text))
    // Every phase the top bar shows, and whether the grid was shown with it.
    await page.evaluate(() => {
      const note = (window as unknown as { notePhase: (t: string) => void }).notePhase
      new MutationObserver(() => {
        const phase = document.querySelector('[data-testid="scan-progress"] .scan-phase')?.textContent
        const copy = document.querySelector('.tile[title="a/copy1.jpg"]') !== null
        if (phase) note(`${phase}${copy ? ' over the grid' : ''}`)
      }).observe(document.body, { subtree: true, childList: true, characterData: true })
    })
    await page.getByRole('button', { name: 'Open…' }).click()
    await page.getByLabel('Folder to open').fill(other)
    await page.getByLabel('Folder to open').press('Enter')
    await expect.poll(() => notice(page)).toContain('Opened 602 images')
    // No reload, no click: the two copies' badges appear once the search has ended.
    const badges = page.locator('.tile[title^="a/copy"]').getByTestId('duplicate-badge')
    await expect.poll(() => badges.count(), { timeout: 60_000 }).toBe(2)
    expect(await badges.first().textContent()).toMatch(/^=2/)
    await expect.poll(() => page.getByTestId('scan-progress').count()).toBe(0)
    // The search was seen running over the dataset's grid, after the open had answered.
    expect(phases).toContain('Looking for duplicates over the grid')
    await page.close()
  })
})
