import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir, writePng } from '../helpers/data'
import { e2eSkipReason, launchChromium, startServe, type RunningServer } from '../helpers/browser'

const skipReason = e2eSkipReason('e2e export decisions')

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name
    if (e.isDirectory()) out.push(...(await filesUnder(join(dir, e.name), rel)))
    else out.push(rel)
  }
  return out.sort()
}

/**
 * Issue #16, "Exports carry the decisions", as a researcher meets it in browser mode: marks set
 * with X and N on faces in the grid, then the cleaned CSV and the cleaned ImageFolder tree written
 * from the export dialog, and the files on disk checked.
 */
describe.skipIf(skipReason !== null)('exports carry the review decisions (browser mode)', () => {
  let browser: Browser
  let server: RunningServer | null = null

  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await server?.stop()
    await browser?.close()
  })

  /**
   * Presses a mark's key on one face (the cursor then moves on), and waits until the face, selected
   * again, shows the mark: reselecting re-reads it, so the wait ends once the mark is stored.
   */
  async function mark(page: Page, relPath: string, key: string, name: RegExp): Promise<void> {
    const tile = page.locator(`.tile[title="${relPath}"]`)
    await tile.click()
    await page.keyboard.press(key)
    await expect
      .poll(async () => {
        await tile.click()
        return page.locator('.review-controls button[aria-pressed="true"]', { hasText: name }).count()
      })
      .toBe(1)
  }

  async function exportAs(page: Page, format: RegExp, path: string): Promise<string> {
    await page.getByRole('button', { name: 'Export labels…' }).click()
    await page.getByRole('radio', { name: format }).check()
    await page.getByLabel('Export path').fill(path)
    await page.getByRole('button', { name: 'Export', exact: true }).click()
    const done = page.getByTestId('export-done')
    await done.waitFor()
    return (await done.textContent()) ?? ''
  }

  it('#16.1: faces marked X and N are left out of the cleaned CSV and ImageFolder tree; #16.13: folder names kept', async () => {
    const root = join(await tempDir('pf-e2e-export-'), 'fer copy')
    const files = ['train/angry/a1.png', 'train/angry/a2.png', 'train/happy/h1.png', 'train/happy/h2.png', 'train/sad/s1.png']
    for (const [i, f] of files.entries()) await writePng(join(root, f), 30 + 40 * i)
    server = await startServe([root, '--data-dir', await tempDir('pf-e2e-export-home-')])
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(server.url)
    await page.locator('.tile img').first().waitFor()

    await mark(page, 'train/angry/a1.png', 'x', /Exclude/)
    await mark(page, 'train/happy/h2.png', 'n', /Not a face/)

    // #16.13: for an ImageFolder dataset the source option says what it writes: a listing, not label files.
    await page.getByRole('button', { name: 'Export labels…' }).click()
    await expect.poll(() => page.getByRole('radio', { name: /imagefolder-moves\.tsv/ }).count()).toBe(1)
    expect(await page.getByRole('radio', { name: /label files/ }).count()).toBe(0)
    // A path typed now stays, though the counts are re-read a moment after the marks above
    // (the dataset summary changes under the open dialog).
    await page.getByLabel('Export path').fill('/tmp/typed-by-hand.csv')
    await page.waitForTimeout(1500)
    expect(await page.getByLabel('Export path').inputValue()).toBe('/tmp/typed-by-hand.csv')
    await page.getByRole('button', { name: 'Close', exact: true }).click()

    const out = await tempDir('pf-e2e-export-out-')
    const csvPath = join(out, 'cleaned.csv')
    expect(await exportAs(page, /Cleaned CSV/, csvPath)).toMatch(/Wrote 3 rows .*1 excluded and 1 not a face left out/)
    const csv = (await readFile(csvPath, 'utf8')).trim().split('\n')
    expect(csv.map((l) => l.split(',')[0])).toEqual(['path', 'train/angry/a2.png', 'train/happy/h1.png', 'train/sad/s1.png'])
    await page.getByRole('button', { name: 'Close', exact: true }).click()

    const tree = join(out, 'cleaned tree')
    expect(await exportAs(page, /Cleaned ImageFolder tree/, tree)).toMatch(
      /Wrote 3 images .*1 excluded and 1 not a face left out/
    )
    expect(await filesUnder(tree)).toEqual(['train/angry/a2.png', 'train/happy/h1.png', 'train/sad/s1.png'])
    expect(
      (await readFile(join(tree, 'train', 'angry', 'a2.png'))).equals(await readFile(join(root, 'train', 'angry', 'a2.png')))
    ).toBe(true)
    // The dataset folder is as it was.
    expect(await filesUnder(root)).toEqual([...files].sort())
    expect(errors).toEqual([])
  })
})
