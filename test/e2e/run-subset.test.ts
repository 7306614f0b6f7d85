import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/data'
import { buildFerplusShaped } from '../helpers/ferplusShaped'
import { e2eSkipReason, launchChromium, ROOT, SHOTS, startServe, testEnv, type RunningServer } from '../helpers/browser'
import { brokenModelCopy, MICRO_MODEL } from '../helpers/models'

/**
 * Issue 16, items 4 and 5, in real Chromium against `pokerface serve`: the Run button follows the
 * Split filter, training (in-sample) faces are marked on their tiles and listed last, a folder can be
 * declared out-of-sample, `pokerface infer` says it ranked, and `pokerface eval` on the same data
 * folder leaves the open workspace as it was.
 */

const skipReason = e2eSkipReason('e2e run-subset')
const CLI = join(ROOT, 'out', 'main', 'cli.js')

function pokerface(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 170_000, env: testEnv() })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** The micro model with the shipped model's training line: FERPlus Train is in-sample for it. */
const ferplusTrainedModel = (): Promise<string> =>
  brokenModelCopy((m) => {
    m.id = 'pfvit-micro-ferplus-train'
    m.training = { ...(m.training ?? {}), data: 'FERPlus FER2013Train (label.csv votes, majority protocol)' }
  })

/** What the workspace's ranking is, read from the data folder as the server stored it. */
function storedRanking(home: string): { model: string; rankedAt: string; scores: number; predictions: number } {
  const db = new Database(join(home, 'pokerface.sqlite'), { readonly: true })
  try {
    const row = db.prepare('SELECT model_id AS model, ranked_at AS rankedAt FROM review_rankings').get() as {
      model: string
      rankedAt: string
    }
    const scores = db.prepare('SELECT count(*) FROM review_scores').pluck().get() as number
    const predictions = db.prepare('SELECT count(*) FROM predictions').pluck().get() as number
    return { ...row, scores, predictions }
  } finally {
    db.close()
  }
}

const tileOrder = (page: Page): Promise<string[]> =>
  page.locator('.tile[data-sample-id]').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('title') ?? ''))

describe.skipIf(skipReason !== null)('running on a subset, in-sample faces, and a CLI beside the workspace', () => {
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

  it('#16.4: with Split = valid the button says "Run on 4 images (valid)" and runs on those; training faces are marked and listed last until the folder is declared out-of-sample', async () => {
    const dataset = join(await tempDir('pf-e2e-subset-'), 'ferplus')
    await buildFerplusShaped(dataset, 4)
    const home = await tempDir('pf-e2e-subset-home-')
    server = await startServe([dataset, '--data-dir', home])
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(server.url)
    await page.locator('.tile img').first().waitFor()
    await page.getByLabel('Model folder').fill(await ferplusTrainedModel())
    await page.getByRole('button', { name: 'Add', exact: true }).click()
    await expect.poll(() => page.getByLabel('Model to run').inputValue()).toBe('pfvit-micro-ferplus-train')
    await page.getByLabel('Hardware').selectOption('cpu')
    await page.getByRole('button', { name: 'Run on 12 images', exact: true }).waitFor()

    // The Split filter narrows the run, and the button says so before anything runs.
    await page.getByLabel('Split', { exact: true }).selectOption('valid')
    await page.getByRole('button', { name: 'Run on 4 images (valid)', exact: true }).click()
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toMatch(/Done: 4 new/)
    await expect.poll(() => storedRanking(home).predictions).toBe(4)
    expect(storedRanking(home).scores).toBe(4) // only valid faces have scores

    // Now all of it: training faces come last in the default order and say they are in-sample.
    await page.getByLabel('Split', { exact: true }).selectOption('')
    await page.getByRole('button', { name: 'Run on 12 images', exact: true }).click()
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toMatch(/Done: 8 new/)
    await expect.poll(() => page.getByLabel('Sort by').inputValue()).toBe('likelyWrong')
    await expect.poll(() => page.locator('.tile .in-sample-mark').count()).toBe(4)
    const order = await tileOrder(page)
    expect(order.slice(-4).every((path) => path.startsWith('FER2013Train/'))).toBe(true)
    expect(order.slice(0, 8).some((path) => path.startsWith('FER2013Train/'))).toBe(false)
    await page.screenshot({ path: join(SHOTS, '16-in-sample-tiles.png') })

    // Declared out-of-sample (say, the researcher knows this copy never met the model): stored,
    // shown, ranked again, and no tile says in-sample any more.
    await page.getByLabel('Declare out-of-sample').click() // controlled: checked once the server has stored it
    await expect.poll(() => page.getByTestId('declared-out-of-sample').textContent()).toMatch(/^Declared out-of-sample on /)
    await expect.poll(() => page.locator('.tile .in-sample-mark').count()).toBe(0)
    await page.reload()
    await page.locator('.tile img').first().waitFor()
    expect(await page.getByLabel('Declare out-of-sample').isChecked()).toBe(true)
    expect(errors).toEqual([])
  })

  it('#16.5: pokerface eval on the same data folder leaves the open workspace’s ranking, counts and order as they were', async () => {
    const dataset = join(await tempDir('pf-e2e-eval-beside-'), 'ferplus')
    await buildFerplusShaped(dataset, 3)
    const home = await tempDir('pf-e2e-eval-beside-home-')
    const model = await ferplusTrainedModel()
    const ran = pokerface(['infer', dataset, '--model', model, '--data-dir', home, '--threads', '1', '--no-generate'])
    expect(ran.code, ran.stderr).toBe(0)
    await server?.stop()
    server = await startServe([dataset, '--data-dir', home])
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    await page.goto(server.url)
    await page.getByLabel('Sort by').selectOption('likelyWrong')
    await page.getByText('Ranked with pfvit-micro-ferplus-train').waitFor()
    const before = { stored: storedRanking(home), order: await tileOrder(page) }

    // Another model, the same data folder, while the workspace is open.
    const evaluated = pokerface(['eval', dataset, '--model', MICRO_MODEL, '--data-dir', home, '--threads', '1', '--no-generate'])
    expect(evaluated.code, evaluated.stderr).toBe(0)
    expect(evaluated.stdout).toContain('"model": "pfvit-micro-test"')
    expect(storedRanking(home)).toEqual(before.stored)
    // Eval worked in its own data folder, beside the workspace's.
    expect(existsSync(join(home, 'eval', 'pokerface.sqlite'))).toBe(true)
    await page.reload()
    await page.getByLabel('Sort by').selectOption('likelyWrong')
    await page.getByText('Ranked with pfvit-micro-ferplus-train').waitFor()
    await expect.poll(() => tileOrder(page)).toEqual(before.order)
  })

  it('#16: pokerface infer says that it ranked the labels and how many it flagged', async () => {
    const dataset = join(await tempDir('pf-e2e-infer-ranked-'), 'ferplus')
    await buildFerplusShaped(dataset, 3)
    const home = await tempDir('pf-e2e-infer-ranked-home-')
    const args = ['infer', dataset, '--model', MICRO_MODEL, '--data-dir', home, '--threads', '1', '--no-generate']
    const plain = pokerface(args)
    expect(plain.code, plain.stderr).toBe(0)
    const line = plain.stdout.split('\n').find((l) => l.startsWith('ranked '))
    expect(line).toMatch(/^ranked 9 labels with pfvit-micro-test: \d+ flagged as likely wrong\. Open the folder/)
    const json = pokerface([...args, '--json'])
    const summary = JSON.parse(json.stdout.trim().split('\n').at(-1) as string)
    expect(summary.ranking).toMatchObject({ modelId: 'pfvit-micro-test', scored: 9 })
    expect(line).toContain(`: ${summary.ranking.flagged} flagged`)
  })
})
