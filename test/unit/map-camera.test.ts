import { describe, expect, it } from 'vitest'
import { packMapColours, NO_CODE } from '@shared/mapColours'
import {
  HOME_CAMERA,
  insidePolygon,
  lassoPick,
  nearestPoint,
  panBy,
  toData,
  toScreen,
  zoomAt
} from '../../src/renderer/src/mapCamera'
import { colouring, decodeMap } from '../../src/renderer/src/mapColouring'

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')

describe('the embedding map camera and lasso (pure)', () => {
  it('maps layout to screen and back; the home view fits [-1, 1] to the square, y up', () => {
    expect(toScreen(HOME_CAMERA, 400, -1, 1)).toEqual([0, 0])
    expect(toScreen(HOME_CAMERA, 400, 1, -1)).toEqual([400, 400])
    const cam = { cx: 0.3, cy: -0.2, zoom: 3.5 }
    const [x, y] = toData(cam, 500, ...toScreen(cam, 500, 0.12, 0.34))
    expect(x).toBeCloseTo(0.12, 12)
    expect(y).toBeCloseTo(0.34, 12)
  })

  it('zooms about the pointer (the point under it stays) and pans with the drag', () => {
    const before = toData(HOME_CAMERA, 400, 100, 300)
    const zoomed = zoomAt(HOME_CAMERA, 400, 100, 300, 4)
    expect(zoomed.zoom).toBe(4)
    const after = toData(zoomed, 400, 100, 300)
    expect(after[0]).toBeCloseTo(before[0], 12)
    expect(after[1]).toBeCloseTo(before[1], 12)
    const moved = panBy(HOME_CAMERA, 400, 200, 0) // a drag right by half the canvas shows what was left of centre
    expect(toScreen(moved, 400, 0, 0)).toEqual([400, 200])
  })

  it('picks exactly the points inside a lasso, concave ones included, in map order', () => {
    // A U shape: its notch (0.4..0.6 × 0.3..1) is outside.
    const u: [number, number][] = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0.6, 1],
      [0.6, 0.3],
      [0.4, 0.3],
      [0.4, 1],
      [0, 1]
    ]
    const x = Float32Array.from([0.1, 0.5, 0.5, 0.9, 1.5, -0.1])
    const y = Float32Array.from([0.5, 0.5, 0.1, 0.9, 0.5, 0.5])
    expect(lassoPick(x, y, u)).toEqual([0, 2, 3])
    expect(insidePolygon(u, 0.5, 0.5)).toBe(false)
    expect(lassoPick(x, y, u.slice(0, 2))).toEqual([])
  })

  it('finds the nearest point within the hover radius, else none', () => {
    const x = [0, 0.5, 0.52]
    const y = [0, 0.5, 0.5]
    expect(nearestPoint(x, y, 0.515, 0.5, 0.05)).toBe(2)
    expect(nearestPoint(x, y, -0.5, -0.5, 0.05)).toBe(-1)
  })
})

describe('the map colours (packed by main, read by the renderer)', () => {
  it('round-trips labels, predictions, issue-score bands and splits in map order, none in grey last', () => {
    const faces = [
      { label: 'happiness', prediction: 'sadness', issueScore: 0.95, split: 'train' },
      { label: null, prediction: null, issueScore: null, split: null },
      undefined,
      { label: 'sadness', prediction: 'sadness', issueScore: 0, split: 'test' }
    ]
    const packed = packMapColours(faces, ['happiness', 'sadness'], ['train', 'test'], b64)
    expect([...Buffer.from(packed.label, 'base64')]).toEqual([0, NO_CODE, NO_CODE, 1])
    const byLabel = colouring(packed, 'label')
    expect([...byLabel.category]).toEqual([0, 2, 2, 1])
    expect(byLabel.legend.map((l) => l.name)).toEqual(['happiness', 'sadness', 'unlabelled'])
    expect([...colouring(packed, 'prediction').category]).toEqual([1, 2, 2, 1])
    expect([...colouring(packed, 'issueScore').category]).toEqual([9, 10, 10, 0])
    expect([...colouring(packed, 'split').category]).toEqual([0, 2, 2, 1])
  })

  it('decodes ids and positions, shrunk by the margin', () => {
    const ids = new Int32Array([7, 3])
    const coords = new Float32Array([1, -1, 0.5, 0])
    const points = decodeMap({ sampleIds: b64(new Uint8Array(ids.buffer)), coords: b64(new Uint8Array(coords.buffer)) }, 0.9)
    expect([...points.sampleIds]).toEqual([7, 3])
    expect([...points.x]).toEqual([Math.fround(0.9), Math.fround(0.45)])
    expect([...points.y]).toEqual([Math.fround(-0.9), 0])
  })
})
