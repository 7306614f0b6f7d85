// The embedding map's frame times in Chromium (issue 17), for each way the map can draw (on the
// CPU, with WebGL), measured in turn on one page: shared by bench:ui (35k faces) and bench:scale (1M).
// A frame is the interval between two animation frames while a wheel event (zoom) or a pointer
// move (hover) is sent every frame; the map's own drawing is in it.

import { median, percentile } from './lib.mjs'

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length
const ms = (x) => `${x.toFixed(1)} ms`

/** Frame intervals for `seconds` of zooming or hovering over the map's canvas. */
function frames(page, kind, seconds) {
  return page.evaluate(
    ([kind, seconds]) =>
      new Promise((done) => {
        const canvas = document.querySelector('[data-testid="map-canvas"]')
        const box = canvas.getBoundingClientRect()
        const out = []
        let last = null
        let i = 0
        const start = performance.now()
        const step = (now) => {
          if (last !== null) out.push(now - last)
          last = now
          i++
          const x = box.left + box.width * (0.3 + 0.4 * ((i % 60) / 60))
          const y = box.top + box.height / 2
          const event =
            kind === 'zoom'
              ? new WheelEvent('wheel', {
                  deltaY: i % 80 < 40 ? -15 : 15,
                  clientX: x,
                  clientY: y,
                  bubbles: true,
                  cancelable: true
                })
              : new MouseEvent('mousemove', { clientX: x, clientY: y + 20 * Math.sin(i / 7), bubbles: true })
          canvas.dispatchEvent(event)
          if (now - start < seconds * 1000) requestAnimationFrame(step)
          else done(out)
        }
        requestAnimationFrame(step)
      }),
    [kind, seconds]
  )
}

/**
 * Opens the map drawn each way in turn (`rounds` times each, alternating, so both see the same
 * machine), measures zooming and hovering, and prints medians per way and the ratio of the CPU's
 * mean zoom frame to WebGL's per round (the mean, as medians sit on the display's 16.7 ms steps). `cpuMetrics` (optional) reads Chromium's
 * Performance.getMetrics, for the main thread's script time per frame. Returns the figures.
 */
export async function measureMapDrawings(page, { rounds = 2, seconds = 4, openMap, cpuMetrics = null, log = console.log }) {
  const drawings = ['cpu', 'webgl']
  const all = { cpu: { zoom: [], hover: [], script: [] }, webgl: { zoom: [], hover: [], script: [] } }
  const ratios = []
  for (let round = 0; round < rounds; round++) {
    const zoomMean = {}
    for (const drawing of drawings) {
      await page.evaluate((d) => localStorage.setItem('pfMapDrawing', d), drawing)
      await openMap()
      await page.locator(`[data-testid="map-canvas"][data-drawing="${drawing}"]`).waitFor({ timeout: 300_000 })
      for (const kind of ['zoom', 'hover']) {
        const before = cpuMetrics ? await cpuMetrics() : null
        const f = await frames(page, kind, seconds)
        const after = cpuMetrics ? await cpuMetrics() : null
        all[drawing][kind].push(...f)
        if (before) all[drawing].script.push(((after.ScriptDuration - before.ScriptDuration) * 1000) / f.length)
        if (kind === 'zoom') zoomMean[drawing] = mean(f)
      }
    }
    ratios.push(zoomMean.cpu / zoomMean.webgl)
  }
  await page.evaluate(() => localStorage.removeItem('pfMapDrawing'))
  for (const drawing of drawings)
    for (const kind of ['zoom', 'hover']) {
      const f = all[drawing][kind]
      const script = all[drawing].script.length ? `; script ${ms(median(all[drawing].script))} a frame` : ''
      log(
        `    ${(drawing === 'cpu' ? 'on the CPU' : 'with WebGL').padEnd(11)} ${(kind === 'zoom' ? 'zoom, a wheel event every frame' : 'hover, the pointer moved every frame').padEnd(38)} ` +
          `${String(f.length).padStart(4)} frames: median ${ms(median(f))}, p95 ${ms(percentile(f, 0.95))}, max ${ms(Math.max(...f))}, ` +
          `${f.filter((x) => x > 50).length} over 50 ms${script}`
      )
    }
  log(`    mean zoom frame, CPU ÷ WebGL (each round): ${ratios.map((r) => r.toFixed(2)).join(', ')}`)
  return { all, ratios }
}
