import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFaceFixture, FACE_FIXTURE_WRONG, tempDir } from '../helpers/data'
import {
  HAS_BUILD,
  HAS_CHROMIUM,
  launchChromium,
  NO_CHROMIUM_REASON,
  ROOT,
  SHOTS,
  startServe,
  testEnv,
  type RunningServer
} from '../helpers/browser'
import { MICRO_MODEL } from '../helpers/models'

/**
 * The review loop on the committed face fixture (test/fixtures/faces), so that a fresh clone with
 * nothing beside it runs it: open → infer → rank → relabel → export. These tests never skip: where
 * the build or Chromium is missing they fail and say what to install, because a loop that silently
 * did not run is what this file exists to prevent.
 */

const CLI = join(ROOT, 'out', 'main', 'cli.js')
const NO_BUILD = 'no build in out/: run `npm run build` first (npm test does)'

/** The model a user gets by default: the first built-in folder by name, the registry's own rule. */
const SHIPPED_MODELS = join(ROOT, 'resources', 'models')
const SHIPPED_MODEL_ID = readdirSync(SHIPPED_MODELS, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort()[0]

/** The fixture's wrong labels that a face shows (the not-a-face crop is the one no classifier sees). */
const WRONG_EXPRESSIONS = Object.keys(FACE_FIXTURE_WRONG).filter((path) => FACE_FIXTURE_WRONG[path] !== 'not a face')

function pokerface(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 170_000, env: testEnv() })
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    json: () => JSON.parse(r.stdout.trim().split('\n').at(-1) as string)
  }
}

/** An exported labels CSV (path,original_label,current_label,changed) as path → its row. */
function readLabelsCsv(text: string): Map<string, { original: string; current: string; changed: string }> {
  const [header, ...rows] = text.trim().split('\n')
  expect(header).toBe('path,original_label,current_label,changed')
  return new Map(
    rows.map((row) => {
      const [path, original, current, changed] = row.split(',')
      return [path, { original, current, changed }]
    })
  )
}

describe('the face fixture from the command line (micro model)', () => {
  beforeAll(() => {
    if (!HAS_BUILD) throw new Error(NO_BUILD)
  })

  it('opens the fixture, runs every face once, and exports every label as its folder gives it', async () => {
    const dataset = join(await tempDir('pf-fixture-cli-'), 'face fixture ü')
    const files = await copyFaceFixture(dataset)
    expect(files.length).toBeGreaterThanOrEqual(20)
    const home = await tempDir('pf-fixture-cli-home-')

    const opened = pokerface(['open', dataset, '--data-dir', home, '--json'])
    expect(opened.code, opened.stderr).toBe(0)
    expect(opened.json()).toMatchObject({ images: files.length, added: files.length })

    const run = pokerface(['infer', dataset, '--model', MICRO_MODEL, '--data-dir', home, '--threads', '1', '--json'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.json()).toMatchObject({ state: 'done', total: files.length, done: files.length, failed: 0, failures: [] })
    const again = pokerface(['infer', dataset, '--model', MICRO_MODEL, '--data-dir', home, '--json'])
    expect(again.json()).toMatchObject({ state: 'done', done: 0, alreadyDone: files.length })

    const out = join(home, 'labels.csv')
    const exported = pokerface(['export', dataset, '--out', out, '--data-dir', home])
    expect(exported.code, exported.stderr).toBe(0)
    const rows = readLabelsCsv(await readFile(out, 'utf8'))
    expect(rows.size).toBe(files.length)
    for (const f of files) expect(rows.get(f.relPath), f.relPath).toEqual({ original: f.label, current: f.label, changed: '0' })
  })

  it('evaluates any labelled folder, pairs two models on the same faces, and refuses a split it does not have', async () => {
    const dataset = join(await tempDir('pf-fixture-eval-'), 'faces')
    const files = await copyFaceFixture(dataset)
    const home = await tempDir('pf-fixture-eval-home-')
    const out = join(home, 'metrics.json')
    const args = ['eval', dataset, '--model', MICRO_MODEL, '--data-dir', home, '--threads', '1', '--no-generate']
    const r = pokerface([...args, '--split', 'all', '--paired-with', join(SHIPPED_MODELS, SHIPPED_MODEL_ID), '--out', out])
    expect(r.code, r.stderr).toBe(0)
    const report = JSON.parse(await readFile(out, 'utf8'))
    expect(report.samples).toBe(files.length)
    expect(report.mean_class_recall).toBeGreaterThanOrEqual(0)
    expect(report.calibration.expected_calibration_error).toBeGreaterThanOrEqual(0)
    const paired = report.paired_comparison
    expect(paired).toMatchObject({ a: 'pfvit-micro-test', b: SHIPPED_MODEL_ID, images: files.length })
    expect(paired.both_right + paired.only_a_right + paired.only_b_right + paired.both_wrong).toBe(files.length)
    expect(paired.p_value).toBeGreaterThan(0)
    expect(paired.p_value).toBeLessThanOrEqual(1)
    // The micro model has no corrections folded into its graph; the shipped one has, and its figures
    // before them come from the results the paired run just stored (nothing runs again).
    expect(report.before_calibration).toBeNull()
    const shippedOut = join(home, 'shipped.json')
    const shippedArgs = ['eval', dataset, '--model', join(SHIPPED_MODELS, SHIPPED_MODEL_ID), '--data-dir', home, '--no-generate']
    const shipped = pokerface([...shippedArgs, '--threads', '1', '--split', 'all', '--out', shippedOut])
    expect(shipped.code, shipped.stderr).toBe(0)
    expect(shipped.stdout).toMatch(/before temperature scaling/)
    const shippedReport = JSON.parse(await readFile(shippedOut, 'utf8'))
    const before = shippedReport.before_calibration
    const card = JSON.parse(await readFile(join(SHIPPED_MODELS, SHIPPED_MODEL_ID, 'model.json'), 'utf8')).training.calibration
    expect(before.folded).toEqual({ temperature: card.temperature, tau: card.tau })
    // A temperature below 1 sharpens, so undoing it makes the same faces less confident (above 1, more).
    const sharpened = shippedReport.calibration.mean_confidence - before.without_temperature.mean_confidence
    expect(Math.sign(sharpened)).toBe(Math.sign(1 - card.temperature))
    expect(before.as_trained.accuracy).toBeGreaterThanOrEqual(0)
    expect(before.as_trained.accuracy).toBeLessThanOrEqual(1)
    // The fixture has train and test folders but no valid one: asking for it is an error, not nulls.
    const missing = pokerface([...args, '--split', 'valid'])
    expect(missing.code).toBe(3)
    expect(missing.stderr).toMatch(/no valid split/)
    expect(pokerface([...args, '--split', 'everything']).code).toBe(2)
  })
})

describe('the face fixture in the review workspace (shipped model, browser mode, real Chromium)', () => {
  let browser: Browser
  let server: RunningServer | null = null

  beforeAll(async () => {
    if (!HAS_BUILD) throw new Error(NO_BUILD)
    if (!HAS_CHROMIUM) throw new Error(NO_CHROMIUM_REASON)
    await mkdir(SHOTS, { recursive: true })
    browser = await launchChromium()
  })
  afterAll(async () => {
    await server?.stop()
    await browser?.close()
  })

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) })
  const tile = (page: Page, relPath: string) => page.locator(`.tile[title="${relPath}"]`)

  it('ranks the deliberately wrong labels first, takes a suggestion and a key relabel, and exports them', async () => {
    const dataset = join(await tempDir('pf-fixture-ui-'), 'face fixture ü')
    const files = await copyFaceFixture(dataset)
    server = await startServe([dataset, '--data-dir', await tempDir('pf-fixture-ui-home-')])
    expect(server.output()).toContain(`${files.length} images`)

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(server.url)
    await expect.poll(() => page.getByTestId('counts').textContent()).toContain(`${files.length} images`)
    await expect
      .poll(() =>
        page.locator('.tile img').evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length)
      )
      .toBe(files.length)

    // The shipped model, added by its folder as a user adds any model (the tests' server lists no built-ins).
    await page.getByLabel('Model folder').fill(join(SHIPPED_MODELS, SHIPPED_MODEL_ID))
    await page.getByRole('button', { name: 'Add', exact: true }).click()
    await expect.poll(() => page.getByLabel('Model to run').inputValue()).toBe(SHIPPED_MODEL_ID)
    await page.getByLabel('Hardware').selectOption('cpu')
    await page.getByRole('button', { name: `Run on ${files.length} images` }).click()
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 120_000 }).toMatch(/Done: \d+ new/)
    await expect.poll(() => page.getByLabel('Sort by').inputValue()).toBe('likelyWrong')

    // The four faces filed under an expression they do not show (a wide smile filed as sad…): a model
    // that reads expressions puts most of them among the first six of 23 (by chance about one).
    const firstSix = () =>
      page.locator('.tile[data-sample-id]').evaluateAll((tiles) => tiles.slice(0, 6).map((t) => t.getAttribute('title')))
    await expect
      .poll(async () => (await firstSix()).filter((p) => WRONG_EXPRESSIONS.includes(p as string)).length)
      .toBeGreaterThanOrEqual(3)
    await shot(page, '30-fixture-ranked')

    // Accept the top suggestion with Enter.
    const top = page.locator('.tile[data-sample-id]').first()
    const topPath = (await top.getAttribute('title')) as string
    await top.click()
    const accept = page.getByTestId('issue').getByRole('button', { name: /^Accept / })
    await accept.waitFor()
    const suggested = /^Accept (\w+)/.exec((await accept.textContent()) ?? '')?.[1] as string
    const given = (await page.getByTestId('current-label').textContent()) as string
    expect(suggested).not.toBe(given)
    await page.keyboard.press('Enter')
    await expect.poll(() => tile(page, topPath).getAttribute('data-label')).toBe(suggested)
    await tile(page, topPath).click()
    await expect.poll(() => page.getByTestId('history').textContent()).toContain(`${given} → ${suggested}`)

    // Relabel another wrong one by key: 2 is happiness (the keys follow the class order, neutral first).
    const byKey = WRONG_EXPRESSIONS.find((p) => p !== topPath && FACE_FIXTURE_WRONG[p] === 'happiness') as string
    await tile(page, byKey).click()
    await page.keyboard.press('2')
    // The tile, not the detail panel: a relabel moves the cursor on, so the panel shows the next face.
    await expect.poll(() => tile(page, byKey).getAttribute('data-label')).toBe('happiness')
    await shot(page, '31-fixture-relabelled')

    const exportPath = join(await tempDir('pf-fixture-ui-out-'), 'cleaned labels.csv')
    await page.getByRole('button', { name: 'Export labels…' }).click()
    await page.getByLabel('Export path').fill(exportPath)
    await page.getByRole('button', { name: 'Export', exact: true }).click()
    await page.getByTestId('export-done').waitFor()
    const rows = readLabelsCsv(await readFile(exportPath, 'utf8'))
    const changes = new Map([
      [topPath, suggested],
      [byKey, 'happiness']
    ])
    expect(rows.size).toBe(files.length)
    for (const f of files) {
      const now = changes.get(f.relPath) ?? f.label
      expect(rows.get(f.relPath), f.relPath).toEqual({ original: f.label, current: now, changed: now === f.label ? '0' : '1' })
    }
    expect(errors).toEqual([])
  })
})
