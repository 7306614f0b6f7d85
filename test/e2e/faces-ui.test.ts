import { copyFile, mkdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATA_DIR, tempDir } from '../helpers/data'
import { e2eSkipReason, launchChromium, SHOTS, startServe, type RunningServer } from '../helpers/browser'

const PHOTOS = join(DATA_DIR, 'photos')
const skipReason = e2eSkipReason('e2e faces', {
  dataReason: existsSync(join(PHOTOS, 'sample1.jpg')) ? null : `photos not found at ${PHOTOS} (set PF_DATA_DIR)`
})

describe.skipIf(skipReason !== null)('a folder of raw photos, from the start screen', () => {
  let browser: Browser
  let server: RunningServer | null = null
  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await server?.stop()
    await browser?.close()
  })

  it('finds the faces, saves aligned crops in the data folder and opens them as a dataset', async () => {
    const photos = join(await tempDir('pf-e2e-photos-'), 'group photos')
    await mkdir(join(photos, 'happy'), { recursive: true })
    for (const n of [1, 3]) await copyFile(join(PHOTOS, `sample${n}.jpg`), join(photos, 'happy', `sample${n}.jpg`))
    const home = await tempDir('pf-e2e-photos-home-')
    server = await startServe(['--data-dir', home])
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.goto(server.url)
    await page.getByText('A folder of raw photos? Find the faces first').click()
    await page.getByLabel('Photos folder').fill(photos)
    await page.getByRole('button', { name: 'Find faces' }).click()
    await expect
      .poll(() => page.getByRole('status').textContent(), { timeout: 60_000 })
      .toMatch(/^\d+ faces from 2 photos, saved in .*group photos/)
    const faces = Number((await page.getByRole('status').textContent())?.match(/^(\d+)/)?.[1])
    expect(faces).toBeGreaterThanOrEqual(4)
    await expect.poll(() => page.getByTestId('counts').textContent()).toContain(`${faces} images`)
    // Class folders carry over: every crop is labelled as its photo's folder.
    await expect.poll(() => page.locator('.tile[data-label="happiness"]').count()).toBe(faces)
    expect(existsSync(join(home, 'faces', 'group photos', 'faces.csv'))).toBe(true)
    // Each face sample says which photo it came from.
    await page.locator('.tile[data-sample-id]').first().click()
    await expect
      .poll(() => page.getByTestId('from-photo').textContent())
      .toMatch(/^happy\/sample1\.jpg · face 1 · score 0\.\d\d$/)
    await page.screenshot({ path: join(SHOTS, '20-faces-from-photos.png') })
  })
})
