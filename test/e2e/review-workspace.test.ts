import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HAS_FERPLUS, NO_FERPLUS_REASON, tempDir } from '../helpers/data'
import { e2eSkipReason, launchChromium, SHOTS, startServe, type RunningServer } from '../helpers/browser'
import { copyFace, pickFaces, realVoteLines, write } from '../helpers/formatFixtures'
import { MICRO_MODEL } from '../helpers/models'

const skipReason = e2eSkipReason('e2e review workspace', { dataReason: HAS_FERPLUS ? null : NO_FERPLUS_REASON })

/**
 * The review workspace end to end in browser mode: a small FERPlus folder (real faces, their real
 * ten-vote lines), the micro model run from the UI, the ranking it triggers, the compare views,
 * accepting a suggestion, and the confusion matrix following. The micro model is untrained, so
 * which label tops the ranking is arbitrary — the test reads what the page says and checks the
 * page stays consistent with it, not that the model is right.
 */
describe.skipIf(skipReason !== null)('review workspace (browser mode, micro model)', () => {
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

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) })
  const cell = async (page: Page, row: string, column: string): Promise<number> => {
    const label = await page.getByTestId(`cell-${row}-${column}`).getAttribute('aria-label')
    return Number(/^(\d+) /.exec(label ?? '')?.[1] ?? NaN)
  }
  const naturalWidths = (page: Page) =>
    page.locator('.compare-stage img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth))

  it('runs, ranks, compares, accepts the top suggestion, and the confusion matrix follows', async () => {
    const root = join(await tempDir('pf-e2e-review-'), 'ferplus mini')
    const faces = pickFaces(7)
    const lines = realVoteLines('FER2013Valid')
    for (const f of faces) await copyFace(f, join(root, 'FER2013Valid', f.name))
    await write(join(root, 'FER2013Valid', 'label.csv'), faces.map((f) => `${lines.get(f.name)}\n`).join(''))
    server = await startServe([root, '--data-dir', await tempDir('pf-e2e-review-home-')])

    const page = await browser.newPage({ viewport: { width: 1500, height: 980 } })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(server.url)
    await page.locator('.tile img').first().waitFor()

    // Run the micro model from the workspace; the ranking follows the run by itself.
    await page.getByLabel('Model folder').fill(MICRO_MODEL)
    await page.getByRole('button', { name: 'Add', exact: true }).click()
    await expect.poll(() => page.getByLabel('Model to run').inputValue()).toBe('pfvit-micro-test')
    await page.getByLabel('Hardware').selectOption('cpu')
    await page.getByRole('button', { name: `Run on ${faces.length} images` }).click()
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 90_000 }).toMatch(/Done: \d+ new/)
    await expect.poll(() => page.getByLabel('Sort by').inputValue()).toBe('likelyWrong')
    await expect.poll(() => page.getByTestId('review-progress').textContent()).toMatch(/^0 of \d+ flagged reviewed$/)
    expect(await page.getByTestId('out-of-sample').textContent()).toContain(
      `${faces.length} of ${faces.length} scores out-of-sample`
    )

    // The top-ranked issue is under the cursor: its scores, its suggestion, the ten FERPlus votes.
    const top = page.locator('.tile[data-sample-id]').first()
    const topId = await top.getAttribute('data-sample-id')
    await top.click()
    const issue = page.getByTestId('issue')
    await issue.waitFor()
    const accept = issue.getByRole('button', { name: /^Accept / })
    await accept.waitFor()
    const suggested = /^Accept (\w+)/.exec((await accept.textContent()) ?? '')?.[1] as string
    const flagged = (await issue.locator('h3').textContent()) === 'Likely wrong label'
    const given = (await page.getByTestId('current-label').textContent()) as string
    const predicted = /Model says (\w+)/.exec((await page.getByTestId('prediction').textContent()) ?? '')?.[1] as string
    expect(suggested).not.toBe(given)
    const votes = await page.getByTestId('votes').locator('li .value').allTextContents()
    expect(votes).toHaveLength(10)
    expect(votes.map(Number).reduce((a, b) => a + b)).toBeGreaterThanOrEqual(10)
    // Scores descend down the grid: the first tile's is the highest.
    const topScore = Number(await page.getByTestId('issue-score').textContent())
    await page.locator('.tile[data-sample-id]').nth(1).click()
    await expect.poll(async () => Number(await page.getByTestId('issue-score').textContent())).toBeLessThanOrEqual(topScore)
    await top.click()
    await expect.poll(() => page.getByTestId('issue-score').textContent()).toBe(topScore.toFixed(2))
    await shot(page, '10-ranked')

    // Compare: every generated view, the overlay with its opacity, the wipe and the blink.
    const compare = page.getByTestId('compare')
    await compare.getByRole('button', { name: 'Poker face', exact: true }).click()
    await expect.poll(() => naturalWidths(page)).toEqual([32]) // the model's 32 px output
    await shot(page, '11-compare-poker-face')
    for (const view of ['Reconstruction', 'Emotion component']) {
      await compare.getByRole('button', { name: view, exact: true }).click()
      await expect.poll(() => naturalWidths(page)).toEqual([32])
    }
    await compare.getByRole('button', { name: 'Emotion map', exact: true }).click()
    await expect.poll(() => naturalWidths(page)).toEqual([48, 32]) // the 48 px face under the 32 px map
    await page.getByLabel('Emotion map opacity').fill('0.35')
    expect(await page.locator('.compare-stage img.layer').evaluate((i) => (i as HTMLElement).style.opacity)).toBe('0.35')
    await shot(page, '12-compare-emotion-map')
    await page.keyboard.press('w')
    await expect.poll(() => compare.getAttribute('data-mode')).toBe('wipe')
    await page.getByLabel('Wipe position').fill('0.3')
    expect(await page.locator('.compare-stage img.layer').evaluate((i) => (i as HTMLElement).style.clipPath)).toBe(
      'inset(0px 0px 0px 30%)'
    )
    await shot(page, '13-compare-wipe')
    await page.keyboard.press('b')
    await expect.poll(() => page.locator('.compare-caption').textContent()).toBe('Blink: poker face')
    await expect.poll(() => page.locator('.compare-caption').textContent()).toBe('Blink: original')
    await page.keyboard.press('v') // next view after blink: back to the original
    await expect.poll(() => compare.getAttribute('data-mode')).toBe('original')

    // The confusion matrix before accepting.
    await page.keyboard.press('m')
    await page.getByTestId('confusion').waitFor()
    const before = { given: await cell(page, given, predicted), suggested: await cell(page, suggested, predicted) }
    expect(before.given).toBeGreaterThan(0)
    await shot(page, '14-metrics-before')
    await page.keyboard.press('m')

    // Accept the suggestion with one key: the label changes, the sample counts as reviewed, the cursor moves on.
    await page.locator(`.tile[data-sample-id="${topId}"]`).click()
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator(`.tile[data-sample-id="${topId}"]`).getAttribute('data-label')).toBe(suggested)
    await expect.poll(() => page.locator(`.tile[data-sample-id="${topId}"] .reviewed-mark`).count()).toBe(1)
    // Reviewed counts only flagged samples; the top one may be "in doubt" (the model disagrees, not confidently).
    await expect
      .poll(() => page.getByTestId('review-progress').textContent())
      .toMatch(new RegExp(`^${flagged ? 1 : 0} of \\d+ flagged reviewed$`))
    await page.locator(`.tile[data-sample-id="${topId}"]`).click()
    await expect.poll(() => page.getByTestId('current-label').textContent()).toBe(suggested)
    await expect.poll(() => page.getByTestId('history').textContent()).toContain(`${given} → ${suggested}`)
    await page.getByTestId('reviewed').waitFor()
    await shot(page, '15-accepted')

    // …and the confusion matrix follows: one fewer labelled `given`, one more labelled `suggested`.
    await page.keyboard.press('m')
    await expect.poll(() => cell(page, given, predicted)).toBe(before.given - 1)
    expect(await cell(page, suggested, predicted)).toBe(before.suggested + 1)
    await shot(page, '16-metrics-after')

    // A cell filters the grid to its samples.
    await page.getByTestId(`cell-${suggested}-${predicted}`).click()
    await expect.poll(() => page.getByTestId('match-count').textContent()).toBe(`${before.suggested + 1} matching`)
    await expect.poll(() => page.locator(`.tile[data-sample-id="${topId}"]`).count()).toBe(1)
    await shot(page, '17-cell-filter')
    await page.getByRole('button', { name: 'Clear filters' }).click()
    await expect.poll(() => page.getByTestId('match-count').textContent()).toBe(`${faces.length} images`)

    // Bulk: two samples marked "exclude" in one key; the distribution's cleaned bar drops them.
    // By id, not by position: the grid may still re-sort after the filters cleared, and a click
    // that lands on a moved tile selected one sample instead of two (seen once in a full run).
    const [first, second] = await page
      .locator('.tile[data-sample-id]')
      .evaluateAll((tiles) => tiles.slice(2, 4).map((t) => t.getAttribute('data-sample-id')))
    await page.locator(`.tile[data-sample-id="${first}"]`).click()
    await page.locator(`.tile[data-sample-id="${second}"]`).click({ modifiers: ['Control'] })
    await expect.poll(() => page.getByTestId('bulk-bar').locator('span').first().textContent()).toBe('2 selected')
    await page.keyboard.press('x')
    await page.getByLabel('Marked').selectOption('exclude')
    await expect.poll(() => page.getByTestId('match-count').textContent()).toBe('2 matching')
    await page.getByLabel('Marked').selectOption('')

    // A note, kept across a reload; undo takes the accepted label back and the matrix with it.
    await page.locator(`.tile[data-sample-id="${topId}"]`).click()
    await page.keyboard.press('e')
    await page.keyboard.type('mouth open: surprise or fear?')
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/call/setNote')),
      page.getByTestId('grid').click({ position: { x: 2, y: 2 } }) // leaving the note saves it
    ])
    await page.reload()
    await page.locator(`.tile[data-sample-id="${topId}"]`).click()
    await expect.poll(() => page.getByRole('textbox', { name: 'Note' }).inputValue()).toBe('mouth open: surprise or fear?')
    // One undo history over every decision (#16.2): the note goes first, then the bulk mark, then the label.
    await page.keyboard.press('Control+z')
    await expect.poll(() => page.getByRole('textbox', { name: 'Note' }).inputValue()).toBe('')
    await page.keyboard.press('Control+z')
    await page.keyboard.press('Control+z')
    await expect.poll(() => page.getByTestId('current-label').textContent()).toBe(given)
    await page.keyboard.press('m')
    await expect.poll(() => cell(page, given, predicted)).toBe(before.given)
    expect(errors).toEqual([])
  })
})
