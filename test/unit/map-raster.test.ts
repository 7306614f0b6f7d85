import { describe, expect, it } from 'vitest'
import { toScreen } from '../../src/renderer/src/mapCamera'
import { chooseMapDrawing, parsePreference } from '../../src/renderer/src/mapDrawing'
import { drawPoints, MAP_BACKGROUND, packColour, pointFootprint } from '../../src/renderer/src/mapRaster'

const BG = packColour(MAP_BACKGROUND)

/** A frame of `width` pixels with these points drawn, and what drawPoints answered. */
function frame(
  width: number,
  cam: { cx: number; cy: number; zoom: number },
  points: [number, number, number][],
  palette: number[],
  diameter = 1
): { pixels: Uint32Array; shown: number } {
  const pixels = new Uint32Array(width * width).fill(123)
  const shown = drawPoints(
    { pixels, width, cam, diameter },
    points.map((p) => p[0]),
    points.map((p) => p[1]),
    points.map((p) => p[2]),
    Uint32Array.from(palette)
  )
  return { pixels, shown }
}

describe('the map drawn on the CPU (pure)', () => {
  it('packs a colour as an ImageData pixel (RGBA bytes, little-endian), laid over the background by alpha', () => {
    expect(packColour('#ff0000')).toBe(0xff0000ff)
    expect(packColour('#102030')).toBe(0xff302010)
    // 0.85 of red over #0d0f12: r 0.85·255 + 0.15·13, g 0.15·15, b 0.15·18.
    const c = packColour('#ff0000', 0.85)
    expect([c & 255, (c >> 8) & 255, (c >> 16) & 255, c >>> 24]).toEqual([219, 2, 3, 255])
  })

  it('covers a square up to 2 pixels across and a disc beyond, centred on the point', () => {
    expect([...pointFootprint(1)]).toEqual([0, 0])
    expect(pointFootprint(1.5).length / 2).toBe(4)
    expect(pointFootprint(2).length / 2).toBe(4)
    const disc = pointFootprint(6)
    const cells = new Set<string>()
    for (let k = 0; k < disc.length; k += 2) cells.add(`${disc[k]},${disc[k + 1]}`)
    // A 6-pixel disc: the 6×6 square without its corners, symmetric about its centre (0.5, 0.5).
    expect(cells.size).toBe(32)
    for (const corner of ['-2,-2', '3,-2', '-2,3', '3,3']) expect(cells.has(corner)).toBe(false)
    for (const c of cells) {
      const [dx, dy] = c.split(',').map(Number)
      expect(cells.has(`${1 - dx},${1 - dy}`)).toBe(true)
    }
  })

  it('puts each point on the pixel mapCamera.toScreen gives it, in its category colour, the rest background', () => {
    const cam = { cx: 0.2, cy: -0.1, zoom: 1.7 }
    const points: [number, number, number][] = [
      [0.1, 0.2, 0],
      [-0.3, -0.25, 1],
      [0.35, -0.4, 2]
    ]
    const width = 200
    const { pixels, shown } = frame(width, cam, points, [0xff0000ff, 0xff00ff00, 0xffff0000])
    expect(shown).toBe(3)
    points.forEach(([x, y, c]) => {
      const [sx, sy] = toScreen(cam, width, x, y).map(Math.floor)
      expect(pixels[sy * width + sx]).toBe([0xff0000ff, 0xff00ff00, 0xffff0000][c])
    })
    expect(pixels.filter((p) => p !== BG)).toHaveLength(3)
  })

  it('draws a later point over an earlier one, a category past the palette in its last colour, and skips points out of view', () => {
    const home = { cx: 0, cy: 0, zoom: 1 }
    const { pixels, shown } = frame(
      10,
      home,
      [
        [0, 0, 0],
        [0, 0, 1],
        [-0.9, 0.9, 7],
        [5, 5, 0],
        [-3, 0, 0]
      ],
      [0xff000001, 0xff000002, 0xff000003]
    )
    expect(shown).toBe(3)
    expect(pixels[5 * 10 + 5]).toBe(0xff000002)
    expect(pixels[0 * 10 + 0]).toBe(0xff000003)
    expect(pixels.filter((p) => p !== BG)).toHaveLength(2)
  })

  it('clips a point at the edge to the pixels inside the frame', () => {
    const { pixels, shown } = frame(20, { cx: 0, cy: 0, zoom: 1 }, [[-1, 1, 0]], [0xff0000ff], 6)
    expect(shown).toBe(1)
    // The disc's quarter inside the top-left corner: its 6-pixel footprint offsets 0..3 on both axes.
    const inside = [...pixels.entries()].filter(([, p]) => p === 0xff0000ff).map(([i]) => [i % 20, Math.floor(i / 20)])
    expect(inside.length).toBeGreaterThan(0)
    expect(Math.max(...inside.map(([x, y]) => Math.max(x, y)))).toBe(3)
  })
})

describe('which way the map draws (pure)', () => {
  const gpu = { available: true, renderer: 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 Direct3D11 vs_5_0 ps_5_0, D3D11)' }
  const swiftShader = {
    available: true,
    renderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)'
  }
  it('WebGL on a GPU; the CPU on a software rasteriser or without WebGL', () => {
    expect(chooseMapDrawing('auto', gpu).drawing).toBe('webgl')
    expect(chooseMapDrawing('auto', swiftShader)).toEqual({
      drawing: 'cpu',
      reason: `WebGL here is a software rasteriser, not a GPU (${swiftShader.renderer})`
    })
    expect(chooseMapDrawing('auto', { available: true, renderer: 'Google SwiftShader' }).drawing).toBe('cpu')
    expect(chooseMapDrawing('auto', { available: true, renderer: 'llvmpipe (LLVM 15.0.6, 256 bits)' }).drawing).toBe('cpu')
    expect(chooseMapDrawing('auto', { available: false, renderer: '' })).toEqual({
      drawing: 'cpu',
      reason: 'this browser gives no WebGL context'
    })
  })
  it('follows what was asked for, except WebGL where there is none', () => {
    expect(chooseMapDrawing('cpu', gpu).drawing).toBe('cpu')
    expect(chooseMapDrawing('webgl', swiftShader).drawing).toBe('webgl')
    expect(chooseMapDrawing('webgl', { available: false, renderer: '' }).drawing).toBe('cpu')
    expect(parsePreference('webgl')).toBe('webgl')
    expect(parsePreference('cpu')).toBe('cpu')
    for (const other of [null, undefined, '', 'gpu', 'WEBGL']) expect(parsePreference(other)).toBe('auto')
  })
})
