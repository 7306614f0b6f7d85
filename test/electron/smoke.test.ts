/**
 * The desktop app itself, driven by Playwright's _electron: the window opens on the app's own
 * pf-app:// page with no Node in it, a dataset opens with thumbnails through pf-media://, a
 * relabel persists across a restart, and the window state is remembered. Runs wherever the
 * Electron binary is installed and a display exists (xvfb-run on a headless Linux box); elsewhere
 * it says why it skipped. It never downloads Electron.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { _electron, type ElectronApplication, type Page } from 'playwright-core'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { locateElectron } from '../../scripts/electron-check.mjs'
import { HAS_BUILD, ROOT } from '../helpers/browser'
import { tempDir, writePng } from '../helpers/data'
import { MICRO_MODEL } from '../helpers/models'

const electron = locateElectron(ROOT)
const skipReason = electron.reason
  ? `Electron cannot start here: ${electron.reason}`
  : !HAS_BUILD
    ? 'no build in out/ (run npm run build)'
    : null
if (skipReason) console.warn(`[electron] skipped: ${skipReason}`)

const APP_PAGE = 'pf-app://studio/index.html'

describe.skipIf(skipReason !== null)('desktop app (Electron, Playwright _electron)', () => {
  let dataset: string
  let dataDir: string
  let app: ElectronApplication | null = null

  beforeAll(async () => {
    dataset = join(await tempDir('pf-electron-'), 'faces')
    await writePng(join(dataset, 'happy', 'a.png'), 40)
    await writePng(join(dataset, 'happy', 'b.png'), 80)
    await writePng(join(dataset, 'sad', 'c.png'), 120)
    await writePng(join(dataset, 'sad', 'd.png'), 160)
    dataDir = await tempDir('pf-electron-home-')
  })
  afterEach(async () => {
    await app?.close()
    app = null
  })

  const launch = async (): Promise<Page> => {
    // Chromium refuses to run as root with its OS sandbox (CI containers); the page stays sandboxed.
    const rootUser = process.getuid?.() === 0 ? ['--no-sandbox'] : []
    app = await _electron.launch({
      executablePath: electron.binary as string,
      args: [...rootUser, ROOT, dataset, '--data-dir', dataDir],
      timeout: 60_000
    })
    const page = await app.firstWindow()
    await page.waitForLoadState('domcontentloaded')
    return page
  }
  const counts = (page: Page) => page.getByTestId('counts').textContent()

  it('opens the dataset in an isolated window, relabels, and keeps the relabel after a restart', async () => {
    let page = await launch()
    expect(page.url()).toBe(APP_PAGE)
    expect(await page.title()).toBe('PokerFace Studio')

    // No Node in the page; the bridge is named functions only.
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined')
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined')
    expect(
      await page.evaluate(() => Object.values(window.pokerface ?? { missing: 1 }).every((v) => typeof v === 'function'))
    ).toBe(true)
    const csp = await page.evaluate(async () => (await fetch(location.href)).headers.get('content-security-policy'))
    expect(csp).toMatch(/script-src 'self';.*img-src 'self' data: blob: pf-media:/)

    await expect.poll(() => counts(page)).toContain('4 images')
    await expect
      .poll(() =>
        page.locator('.tile img').evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length)
      )
      .toBe(4)
    expect(await page.locator('.tile img').first().getAttribute('src')).toMatch(/^pf-media:\/\/thumb\/\d+$/)

    // Relabel a sad face as neutral from the keyboard.
    const sad = page.locator('.tile[data-label="sadness"]').first()
    const id = await sad.getAttribute('data-sample-id')
    await sad.click()
    await page.keyboard.press('1')
    await expect.poll(() => counts(page)).toContain('1 changed')
    await expect.poll(() => page.locator(`.tile[data-sample-id="${id}"]`).getAttribute('data-label')).toBe('neutral')

    // Navigation away and new windows are refused; the app stays on its page.
    await page.evaluate(() => {
      window.location.href = 'https://example.com/'
    })
    await page.waitForTimeout(500)
    expect(page.url()).toBe(APP_PAGE)
    expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true)
    expect(app!.windows()).toHaveLength(1)

    await app!.close()
    app = null
    expect(existsSync(join(dataDir, 'window-state.json'))).toBe(true)

    page = await launch()
    await expect.poll(() => counts(page)).toContain('1 changed')
    await expect.poll(() => page.locator(`.tile[data-sample-id="${id}"]`).getAttribute('data-label')).toBe('neutral')
  })

  it('runs a model in its worker thread under Electron, and the About box names it and its provider', async () => {
    const page = await launch()
    type Envelope = { ok: boolean; result?: any; error?: { message: string } }
    const call = (name: string, args: unknown): Promise<Envelope> =>
      page.evaluate(
        ([n, a]) => (window.pokerface as unknown as Record<string, (x: unknown) => Promise<Envelope>>)[n as string](a),
        [name, args] as const
      )
    const info = await call('getAppInfo', {})
    const datasetId = info.result.startupDatasetId as number
    const model = await call('addModel', { folder: MICRO_MODEL })
    expect(model.error).toBeUndefined()
    const started = await call('startInference', { datasetId, modelId: model.result.id, provider: 'cpu', generate: true })
    expect(started.error).toBeUndefined()
    await expect.poll(async () => (await call('getInferenceJob', { datasetId })).result?.state, { timeout: 120_000 }).toBe('done')

    // The About box is a native dialog: catch what main passes to it.
    await app!.evaluate(({ dialog }) => {
      const g = globalThis as { __about?: unknown }
      dialog.showMessageBox = (async (...args: unknown[]) => {
        g.__about = args.at(-1)
        return { response: 0, checkboxChecked: false }
      }) as typeof dialog.showMessageBox
    })
    await app!.evaluate(({ Menu }) => {
      const help = Menu.getApplicationMenu()!.items.find((i) => i.label.replace('&', '') === 'Help')!
      help.submenu!.items.find((i) => i.label.startsWith('About'))!.click()
    })
    await expect
      .poll(() => app!.evaluate(() => ((globalThis as { __about?: { detail: string } }).__about?.detail ?? '') as string))
      .toMatch(/Model: PF-ViT micro[^\n]*\nExecution provider: cpu/)
  })
})
