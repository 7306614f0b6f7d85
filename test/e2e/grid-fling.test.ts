import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir, writePng } from '../helpers/data'
import { e2eSkipReason, launchChromium, startServe, type RunningServer } from '../helpers/browser'

const skipReason = e2eSkipReason('e2e grid fling')

/** Enough faces that the grid is many screens tall at 1440×900 (11 tiles a row: ~70 rows). */
const FACES = 760

/** Scrolls the grid by `px` every animation frame for `frames` frames; says, per frame, how many tiles in view held back their thumbnail. */
const scroll = (page: Page, px: number, frames: number): Promise<number[]> =>
  page.getByTestId('grid').evaluate(
    (grid, [px, frames]) =>
      new Promise<number[]>((done) => {
        const heldBack: number[] = []
        const step = (): void => {
          const box = grid.getBoundingClientRect()
          const inView = [...grid.querySelectorAll('.tile[data-sample-id]')].filter((t) => {
            const r = t.getBoundingClientRect()
            return r.bottom > box.top && r.top < box.bottom
          })
          const held = inView.filter((t) => t.classList.contains('held-back'))
          // A tile held back has no <img> at all: nothing is fetched or decoded for it.
          heldBack.push(held.some((t) => t.querySelector('img')) ? -1 : held.length)
          if (heldBack.length > frames) return done(heldBack)
          grid.scrollTop += px
          requestAnimationFrame(step)
        }
        requestAnimationFrame(step)
      }),
    [px, frames] as const
  )

/**
 * Issue 19, the fast fling: tiles that come into view while the grid moves faster than anyone can
 * see a face hold back their thumbnails (no request, no decode) and show them once it slows; a
 * steady scroll shows every thumbnail as it comes. Real Chromium against the real `pokerface serve`.
 */
describe.skipIf(skipReason !== null)('#19: the grid holds thumbnails back while it flings', () => {
  let browser: Browser
  let server: RunningServer
  let page: Page

  beforeAll(async () => {
    const faces = await tempDir('pf-e2e-fling-')
    for (let i = 0; i < FACES; i++) await writePng(join(faces, 'anger', `a${String(i).padStart(4, '0')}.png`), i % 256, 24)
    server = await startServe([faces, '--data-dir', await tempDir('pf-e2e-fling-home-')])
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    await page.goto(server.url)
    await page.locator('.tile img').nth(30).waitFor({ timeout: 15_000 })
  })
  afterAll(async () => {
    await server?.stop()
    await browser?.close()
  })

  it('a steady scroll shows the thumbnails; a fling holds them back, then shows them once it stops', async () => {
    const steady = await scroll(page, 40, 30)
    expect(steady.every((n) => n === 0)).toBe(true)

    // 800 px a frame: a fling even if a busy machine drew a frame only every 120 ms.
    const fling = await scroll(page, 800, 8)
    // The first frame is before any fast move; tiles that came into view after it were held back.
    expect(fling[0]).toBe(0)
    expect(fling).not.toContain(-1)
    expect(Math.max(...fling.slice(2))).toBeGreaterThan(0)
    // Stopped: every tile gets its thumbnail.
    await expect.poll(() => page.locator('.tile.held-back').count(), { timeout: 5_000 }).toBe(0)
    await page.waitForFunction(() => [...document.querySelectorAll('.tile img')].every((i) => (i as HTMLImageElement).complete))
    expect(await page.locator('.tile[data-sample-id]:not(:has(img))').count()).toBe(0)
  })
})
