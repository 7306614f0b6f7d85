import { describe, expect, it } from 'vitest'
import { fitToSquare, knnRows, minUmapFaces, umapLayout, umapNeighbours, type KnnRows } from '../../src/main/neighbours/umap'

/** `clusters` groups of `each` faces; each face's k neighbours are others of its own group. */
function clustered(clusters: number, each: number, k: number): { knn: KnnRows; group: number[] } {
  const n = clusters * each
  const neighbours = new Int32Array(n * k)
  const similarities = new Float32Array(n * k)
  const group = Array.from({ length: n }, (_, i) => Math.floor(i / each))
  for (let i = 0; i < n; i++)
    for (let j = 0; j < k; j++) {
      const start = group[i] * each
      neighbours[i * k + j] = start + ((i - start + 1 + j) % each)
      similarities[i * k + j] = 0.9 - 0.01 * j
    }
  return { knn: { n, k, neighbours, similarities }, group }
}

describe('the UMAP layout of the embedding map (pure)', () => {
  it('turns stored lists (by sample id) into rows of the input, leaving out neighbours not in it', () => {
    const lists = {
      k: 2,
      sampleIds: Int32Array.from([30, 10, 20]),
      neighbours: Int32Array.from([10, 20, 30, 99, 10, -1]),
      similarities: Float32Array.from([0.9, 0.8, 0.7, 0.6, 0.5, 0])
    }
    const rows = knnRows(lists, Int32Array.from([10, 20, 30]))
    expect(rows.n).toBe(3)
    // row 0 = sample 10 (list row 1): 30 → row 2, 99 → none
    expect([...rows.neighbours]).toEqual([2, -1, 0, -1, 0, 1])
    expect([...rows.similarities]).toEqual([0.7, 0, 0.5, 0, 0.9, 0.8].map(Math.fround))
    const { indices, distances } = umapNeighbours(rows)
    expect(indices[0]).toEqual([0, 2, 0])
    expect(distances[0][0]).toBe(0)
    expect(distances[0][1]).toBeCloseTo(Math.sqrt(2 - 2 * 0.7), 6)
    expect(distances[0][2]).toBe(0)
  })

  it('keeps groups of neighbours together and apart from each other, in [-1, 1], the same every time', () => {
    const { knn, group } = clustered(4, 40, 8)
    const progress: number[] = []
    const xy = umapLayout(knn, { epochs: 150, onProgress: (done, total) => progress.push(done / total) })
    expect(xy).toHaveLength(2 * knn.n)
    expect(xy.every((v) => v >= -1 && v <= 1)).toBe(true)
    expect(Math.min(...xy)).toBeLessThan(-0.9)
    expect(progress.at(-1)).toBe(1)
    expect(progress.length).toBeGreaterThan(10)
    // Each face's nearest face on the map is of its own group.
    let same = 0
    for (let i = 0; i < knn.n; i++) {
      let best = -1
      let bestD = Infinity
      for (let j = 0; j < knn.n; j++) {
        if (j === i) continue
        const d = (xy[2 * i] - xy[2 * j]) ** 2 + (xy[2 * i + 1] - xy[2 * j + 1]) ** 2
        if (d < bestD) [best, bestD] = [j, d]
      }
      if (group[best] === group[i]) same++
    }
    expect(same / knn.n).toBeGreaterThan(0.95)
    expect([...umapLayout(knn, { epochs: 150 })]).toEqual([...xy])
  })

  it('fits the 1st to 99th percentile of each axis to ±0.9, the few far out clipped to the edge', () => {
    const points = Array.from({ length: 201 }, (_, i) => [i - 100, 2 * (i - 100)])
    points.push([10_000, -10_000])
    const xy = fitToSquare(points)
    expect(xy[2 * 201]).toBe(1)
    expect(xy[2 * 201 + 1]).toBe(-1)
    // x of 202 points: the 1st percentile is the 3rd smallest (-98), the 99th the 3rd largest (99).
    expect(xy[2 * 2]).toBeCloseTo(-0.9, 5)
    expect(xy[2 * 199]).toBeCloseTo(0.9, 5)
    expect(xy[2 * 100]).toBeCloseTo((0.9 * (0 - 0.5)) / 98.5, 5)
    expect(xy.every((v) => v >= -1 && v <= 1)).toBe(true)
  })

  it('refuses a map smaller than its neighbourhood, saying so', () => {
    const { knn } = clustered(1, minUmapFaces(8) - 1, 8)
    expect(() => umapLayout(knn)).toThrow(`UMAP needs at least ${minUmapFaces(8)} faces; this map has ${minUmapFaces(8) - 1}`)
  })
})
