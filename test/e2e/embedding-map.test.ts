import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Locator, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  callFromPage,
  e2eSkipReason,
  gridSampleIds as gridIds,
  launchChromium,
  SHOTS,
  startServe,
  type RunningServer
} from '../helpers/browser'
import { chooseMapDrawing } from '../../src/renderer/src/mapDrawing'
import { embeddedFaceFixture } from '../helpers/embeddedDataset'
import { MICRO_MODEL } from '../helpers/models'

const skipReason = e2eSkipReason('e2e embedding map')

/** The layout shrinks by this much so edge points are not cut (src/renderer/src/mapColouring.ts). */
const MARGIN = 0.95

type Box = { x: number; y: number; width: number; height: number }

/** The map as the API answers it in a layout, decoded: ids and layout positions in map order. */
const mapPoints = async (page: Page, method: 'pca' | 'umap' = 'pca'): Promise<{ id: number; x: number; y: number }[]> => {
  const map = (await callFromPage(page, 'getEmbeddingMap', { datasetId: 1, method })).body.result as {
    sampleIds: string
    coords: string
  }
  const ids = new Int32Array(new Uint8Array(Buffer.from(map.sampleIds, 'base64')).buffer)
  const xy = new Float32Array(new Uint8Array(Buffer.from(map.coords, 'base64')).buffer)
  return [...ids].map((id, i) => ({ id, x: xy[2 * i], y: xy[2 * i + 1] }))
}

/** Where the map's points are on the page (the canvas is square; layout y is up). */
async function onScreen(
  canvas: Locator,
  points: { id: number; x: number; y: number }[]
): Promise<{ box: Box; screen: { id: number; sx: number; sy: number }[] }> {
  const box = (await canvas.boundingBox()) as Box
  expect(box.width).toBe(box.height)
  const side = box.width
  const screen = points.map((p) => ({
    id: p.id,
    sx: box.x + (side / 2) * (1 + MARGIN * p.x),
    sy: box.y + (side / 2) * (1 - MARGIN * p.y)
  }))
  return { box, screen }
}

/** Each face's pixel on the canvas is not the background. */
async function expectEveryFaceDrawn(page: Page, canvas: Locator, box: Box, screen: { id: number; sx: number; sy: number }[]) {
  await page.waitForTimeout(200)
  const shot = await sharp(await canvas.screenshot())
    .raw()
    .toBuffer({ resolveWithObject: true })
  const scale = shot.info.width / box.width
  for (const p of screen) {
    const at = (Math.round((p.sy - box.y) * scale) * shot.info.width + Math.round((p.sx - box.x) * scale)) * shot.info.channels
    const [r, g, b] = shot.data.subarray(at, at + 3)
    expect(r + g + b, `face ${p.id} drawn`).toBeGreaterThan(13 + 15 + 18 + 30)
  }
}

/** A page whose map draws the way asked for (localStorage pfMapDrawing, read as the map opens). */
async function pageDrawing(browser: Browser, drawing: 'cpu' | 'webgl' | 'auto'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
  if (drawing !== 'auto') await page.addInitScript((d) => localStorage.setItem('pfMapDrawing', d), drawing)
  return page
}

/**
 * Issue 17, item 3, in real Chromium (no GPU here: its WebGL is the software renderer SwiftShader)
 * against `pokerface serve`, on the face fixture run through a real ONNX model with embeddings,
 * drawn each way the map can draw (on the CPU, with WebGL): the map draws every face, hovering one
 * shows it, the colour chooser changes the legend, and a Shift+drag lasso puts exactly the faces
 * inside it in the grid; Esc returns to the map.
 */
describe.skipIf(skipReason !== null)('#17.3: the embedding map in the browser', () => {
  let browser: Browser
  let server: RunningServer | null = null
  let faces = 0

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true })
    const fixture = await embeddedFaceFixture('pf-e2e-map')
    faces = fixture.faces
    browser = await launchChromium()
    server = await startServe([fixture.root, '--data-dir', fixture.home])
  }, 200_000)
  afterAll(async () => {
    await server?.stop()
    await browser?.close()
  })

  it.each(['cpu', 'webgl'] as const)(
    'drawn by %s: draws the faces, shows one on hover, recolours, and lassos exactly the faces inside into the grid',
    async (drawing) => {
      const page = await pageDrawing(browser, drawing)
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
      await page.goto((server as RunningServer).url)
      await expect.poll(() => page.locator('.tile[data-sample-id]').count()).toBe(faces)

      await page.keyboard.press('g')
      const canvas = page.getByTestId('map-canvas')
      await canvas.waitFor()
      await expect.poll(() => page.getByTestId('map-summary').textContent()).toContain(`${faces} faces · PCA`)
      expect(await canvas.getAttribute('data-drawing')).toBe(drawing)
      expect(await page.getByTestId('map-drawing').textContent()).toBe(
        drawing === 'cpu' ? 'Drawn on the CPU' : 'Drawn with WebGL'
      )
      const points = await mapPoints(page)
      expect(points).toHaveLength(faces)
      const { box, screen } = await onScreen(canvas, points)
      await expectEveryFaceDrawn(page, canvas, box, screen)

      // Hover: the face under the pointer (the one farthest from the others, so no neighbour is nearer).
      const loneliest = screen
        .map((p) => ({ p, gap: Math.min(...screen.filter((q) => q !== p).map((q) => Math.hypot(q.sx - p.sx, q.sy - p.sy))) }))
        .sort((a, b) => b.gap - a.gap)[0].p
      await page.mouse.move(loneliest.sx, loneliest.sy)
      await expect.poll(() => page.getByTestId('map-hover').getAttribute('data-sample-id')).toBe(String(loneliest.id))

      // The colour chooser changes what the legend names.
      expect(await page.getByLabel('Legend').textContent()).toContain('happiness')
      await page.getByLabel('Colour by').selectOption('split')
      await expect.poll(() => page.getByLabel('Legend').textContent()).toMatch(/^\s*train\s*test\s*$/)
      await page.getByLabel('Colour by').selectOption('issueScore')
      await expect.poll(() => page.getByLabel('Legend').textContent()).toMatch(/^\s*0\.0–0\.1 .*0\.9–1\.0$/)

      // Lasso: a rectangle whose right edge lies in the widest gap between faces near the middle,
      // so no face sits on the line; exactly the faces left of it are expected, in map order.
      const xs = screen.map((p) => p.sx).sort((a, b) => a - b)
      let cut = 0
      let widest = 0
      for (let i = Math.floor(xs.length / 4); i < Math.ceil((3 * xs.length) / 4); i++) {
        if (xs[i + 1] - xs[i] > widest) [widest, cut] = [xs[i + 1] - xs[i], (xs[i] + xs[i + 1]) / 2]
      }
      expect(widest).toBeGreaterThan(2)
      const expected = screen.filter((p) => p.sx < cut).map((p) => p.id)
      expect(expected.length).toBeGreaterThan(0)
      expect(expected.length).toBeLessThan(faces)
      const corners: [number, number][] = [
        [box.x + 2, box.y + 2],
        [cut, box.y + 2],
        [cut, box.y + box.height - 2],
        [box.x + 2, box.y + box.height - 2],
        [box.x + 2, box.y + 3]
      ]
      await page.keyboard.down('Shift')
      await page.mouse.move(...corners[0])
      await page.mouse.down()
      for (const corner of corners.slice(1)) await page.mouse.move(...corner, { steps: 8 })
      await page.mouse.up()
      await page.keyboard.up('Shift')

      await page.getByTestId('subset-bar').waitFor()
      await expect.poll(() => gridIds(page)).toEqual(expected)
      expect(await page.getByTestId('subset-bar').textContent()).toContain(`${expected.length} faces lassoed on the map`)
      await page.screenshot({ path: join(SHOTS, `map-lasso-grid-${drawing}.png`) })

      // Esc goes back to the map it came from.
      await page.keyboard.press('Escape')
      await canvas.waitFor()
      expect(await page.getByTestId('subset-bar').count()).toBe(0)
      await page.screenshot({ path: join(SHOTS, `embedding-map-${drawing}.png`) })
      expect(errors).toEqual([])
      await page.close()
    }
  )

  it('lays the map out by UMAP once asked: stored, drawn, lassoable, and the choice kept for the next visit', async () => {
    const page = await pageDrawing(browser, 'cpu')
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto((server as RunningServer).url)
    await expect.poll(() => page.locator('.tile[data-sample-id]').count()).toBe(faces)
    await page.keyboard.press('g')
    const summary = page.getByTestId('map-summary')
    await expect.poll(() => summary.textContent()).toContain(`${faces} faces · PCA of`)
    // Nothing computes UMAP until it is asked for.
    expect(((await callFromPage(page, 'getEmbeddingMap', { datasetId: 1 })).body.result as { umap: unknown }).umap).toEqual({
      state: 'not computed'
    })

    await page.getByLabel('Layout').selectOption('umap')
    await expect.poll(() => summary.textContent(), { timeout: 120_000 }).toContain(`${faces} faces · UMAP of`)
    expect(await page.getByTestId('map-umap-status').count()).toBe(0)
    const answer = (await callFromPage(page, 'getEmbeddingMap', { datasetId: 1, method: 'umap' })).body.result as {
      method: string
      umap: unknown
    }
    expect(answer).toMatchObject({ method: 'umap', umap: { state: 'ready' } })
    const umap = await mapPoints(page, 'umap')
    const pca = await mapPoints(page, 'pca')
    expect(umap.map((p) => p.id).sort((a, b) => a - b)).toEqual(pca.map((p) => p.id).sort((a, b) => a - b))
    expect(umap.every((p) => Math.abs(p.x) <= 1 + 1e-6 && Math.abs(p.y) <= 1 + 1e-6)).toBe(true)
    expect(umap.map((p) => [p.x, p.y])).not.toEqual(pca.map((p) => [p.x, p.y]))
    const canvas = page.getByTestId('map-canvas')
    const { box, screen } = await onScreen(canvas, umap)
    await expectEveryFaceDrawn(page, canvas, box, screen)

    // A lasso around the whole map puts every face in the grid.
    await page.keyboard.down('Shift')
    await page.mouse.move(box.x + 2, box.y + 2)
    await page.mouse.down()
    for (const [x, y] of [
      [box.x + box.width - 2, box.y + 2],
      [box.x + box.width - 2, box.y + box.height - 2],
      [box.x + 2, box.y + box.height - 2],
      [box.x + 2, box.y + 3]
    ])
      await page.mouse.move(x, y, { steps: 6 })
    await page.mouse.up()
    await page.keyboard.up('Shift')
    await expect.poll(() => gridIds(page)).toHaveLength(faces)

    // The next visit opens on UMAP, read back from the store.
    await page.reload()
    await expect.poll(() => page.locator('.tile[data-sample-id]').count()).toBe(faces)
    await page.keyboard.press('g')
    await expect.poll(() => summary.textContent()).toContain(`${faces} faces · UMAP of`)
    expect(await page.getByLabel('Layout').inputValue()).toBe('umap')
    expect(errors).toEqual([])
    await page.close()
  }, 200_000)

  it('chooses by what WebGL is here: the CPU on a software rasteriser, WebGL on a GPU', async () => {
    const page = await pageDrawing(browser, 'auto')
    await page.goto((server as RunningServer).url)
    await expect.poll(() => page.locator('.tile[data-sample-id]').count()).toBe(faces)
    await page.keyboard.press('g')
    const canvas = page.getByTestId('map-canvas')
    await expect.poll(() => canvas.getAttribute('data-drawing')).toMatch(/^(cpu|webgl)$/)
    const probe = await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl')
      if (!gl) return { available: false, renderer: '' }
      const debug = gl.getExtension('WEBGL_debug_renderer_info')
      return { available: true, renderer: String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) }
    })
    const expected = chooseMapDrawing('auto', probe)
    expect(await canvas.getAttribute('data-drawing')).toBe(expected.drawing)
    expect(await page.getByTestId('map-drawing').getAttribute('title')).toBe(expected.reason)
    await page.close()
  })

  it('says to run the model when the dataset has predictions but no embeddings (a model without the output)', async () => {
    const fixture = await embeddedFaceFixture('pf-e2e-map-none', MICRO_MODEL)
    const bare = await startServe([fixture.root, '--data-dir', fixture.home])
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
      await page.goto(bare.url)
      await page.locator('.tile[data-sample-id]').first().click()
      await page.keyboard.press('s')
      await expect
        .poll(() => page.locator('.notice').textContent())
        .toMatch(/but no embedding .*run the model on this dataset again/)
      expect(await page.getByTestId('subset-bar').count()).toBe(0)
      await page.keyboard.press('g')
      await expect
        .poll(() => page.getByTestId('map-empty').textContent())
        .toMatch(/^No face of this dataset has an embedding by pfvit-micro-test yet: run the model/)
      expect(await page.getByTestId('map-canvas').count()).toBe(0)
      await page.close()
    } finally {
      await bare.stop()
    }
  }, 200_000)
})
