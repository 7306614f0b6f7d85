import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildFerplusImageFolder, HAS_FERPLUS, NO_FERPLUS_REASON, tempDir } from '../helpers/data'
import { e2eSkipReason, launchChromium, SHOTS, startServe, type RunningServer } from '../helpers/browser'

const skipReason = e2eSkipReason('e2e', { dataReason: HAS_FERPLUS ? null : NO_FERPLUS_REASON })

const PER_CLASS = 30

describe.skipIf(skipReason !== null)('review in browser mode (real server, real Chromium)', () => {
  let browser: Browser
  let server: RunningServer | null = null
  let datasetRoot: string
  let dataDir: string
  let files: { relPath: string; label: string }[]

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true })
    // A space and non-ASCII characters in the dataset path, as researchers' folders have.
    datasetRoot = join(await tempDir('pf-e2e-'), 'FER faces ü')
    ;({ files } = await buildFerplusImageFolder(datasetRoot, PER_CLASS))
    dataDir = await tempDir('pf-e2e-home-')
    browser = await launchChromium()
  })
  afterAll(async () => {
    await server?.stop()
    await browser?.close()
  })

  const matchCount = (page: Page) => page.getByTestId('match-count').textContent()
  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) })

  it('opens, filters, relabels by keyboard, undoes, survives a restart, and exports', async () => {
    const angerCount = files.filter((f) => f.label === 'anger').length
    expect(angerCount).toBeGreaterThan(3)
    server = await startServe([datasetRoot, '--data-dir', dataDir])
    expect(server.output()).toContain(`${files.length} images`)

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    const pageErrors: string[] = []
    page.on('pageerror', (e) => pageErrors.push(e.message))
    await page.goto(server.url)
    await expect.poll(() => page.getByTestId('counts').textContent()).toContain(`${files.length} images`)
    await page.locator('.tile img').first().waitFor()
    await expect
      .poll(() =>
        page.locator('.tile img').evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length)
      )
      .toBeGreaterThan(10)
    await shot(page, '01-opened')

    // Filter to the anger folder ("angry" on disk, normalised to anger).
    await page.getByLabel('Current label').selectOption('anger')
    await expect.poll(() => matchCount(page)).toBe(`${angerCount} matching`)
    const firstTile = page.locator('.tile[data-sample-id]').first()
    const relabelledId = await firstTile.getAttribute('data-sample-id')
    await firstTile.click()
    await expect.poll(() => page.getByTestId('current-label').textContent()).toBe('anger')

    // 1 = neutral: the sample leaves the anger filter and the next one takes its place.
    await page.keyboard.press('1')
    await expect.poll(() => matchCount(page)).toBe(`${angerCount - 1} matching`)
    await page.keyboard.press('1')
    await expect.poll(() => matchCount(page)).toBe(`${angerCount - 2} matching`)
    await shot(page, '02-relabelled')
    await page.keyboard.press('Control+z')
    await expect.poll(() => matchCount(page)).toBe(`${angerCount - 1} matching`)

    await page.getByLabel('Current label').selectOption('')
    await page.getByLabel('Changed only').check()
    await expect.poll(() => matchCount(page)).toBe('1 matching')
    await expect.poll(() => page.locator('.tile[data-sample-id]').first().getAttribute('data-sample-id')).toBe(relabelledId)
    await page.keyboard.press('?')
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor()
    await shot(page, '03-shortcuts')
    await page.keyboard.press('Escape')

    // Restart the server: the change and the redo history are in SQLite, not in the page.
    await server.stop()
    server = await startServe([datasetRoot, '--data-dir', dataDir])
    await page.goto(server.url)
    await page.getByLabel('Changed only').check()
    await expect.poll(() => matchCount(page)).toBe('1 matching')
    await page.locator(`.tile[data-sample-id="${relabelledId}"]`).click()
    await expect.poll(() => page.getByTestId('current-label').textContent()).toBe('neutral')
    await page.keyboard.press('Control+Shift+Z') // redo the second relabel, undone before the restart
    await expect.poll(() => matchCount(page)).toBe('2 matching')

    // Export through the dialog, then read the file.
    const exportPath = join(await tempDir('pf-e2e-out-'), 'cleaned labels.csv')
    await page.getByRole('button', { name: 'Export labels…' }).click()
    await page.getByLabel('Export path').fill(exportPath)
    await page.getByRole('button', { name: 'Export', exact: true }).click()
    await page.getByTestId('export-done').waitFor()
    await shot(page, '04-exported')
    const csv = (await readFile(exportPath, 'utf8')).trim().split('\n')
    expect(csv[0]).toBe('path,original_label,current_label,changed')
    expect(csv).toHaveLength(files.length + 1)
    const changed = csv.filter((l) => l.endsWith(',1'))
    expect(changed).toHaveLength(2)
    for (const line of changed) expect(line).toMatch(/^train\/angry\/fer\d+\.png,anger,neutral,1$/)

    // Exporting again to the same file asks first.
    await page.getByRole('button', { name: 'Export', exact: true }).click()
    await page.getByRole('button', { name: 'Replace it (keep a backup)' }).waitFor()
    expect(pageErrors).toEqual([])
  })
})
