/**
 * Pure measures of poker faces that the independent judges (judges.ts) and the pixels give.
 *
 * Where expressions happen: boxes on the aligned face, as fractions of its width and height, placed
 * on the mean FERPlus test face (the average of all 3,573 FER2013Test crops at 48 px: eye centres
 * at y ≈ 0.37, x ≈ 0.32 and 0.68; brows at y ≈ 0.27; mouth centre at y ≈ 0.80, x 0.35–0.65). FER crops
 * are aligned closely enough that a fixed box holds the eyes and mouth of most faces; a map that
 * puts its mass there more than the boxes' share of the area follows the expression, one that does
 * not lights hair, edges and background as often as faces.
 */
export const FACE_REGIONS = {
  eyes_and_brows: { x0: 0.12, x1: 0.88, y0: 0.18, y1: 0.48 },
  mouth: { x0: 0.25, x1: 0.75, y0: 0.66, y1: 0.92 }
} as const
export type FaceRegion = keyof typeof FACE_REGIONS

export interface RegionShares {
  eyes_and_brows: number
  mouth: number
}

function inside(region: (typeof FACE_REGIONS)[FaceRegion], x: number, y: number, size: number): boolean {
  const fx = (x + 0.5) / size
  const fy = (y + 0.5) / size
  return fx >= region.x0 && fx < region.x1 && fy >= region.y0 && fy < region.y1
}

/** Share of a non-negative per-pixel map's mass (size × size, row-major) inside each region. */
export function regionShares(map: ArrayLike<number>, size: number): RegionShares | null {
  let total = 0
  let eyes = 0
  let mouth = 0
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const v = map[y * size + x]
      total += v
      if (inside(FACE_REGIONS.eyes_and_brows, x, y, size)) eyes += v
      else if (inside(FACE_REGIONS.mouth, x, y, size)) mouth += v
    }
  return total > 0 ? { eyes_and_brows: eyes / total, mouth: mouth / total } : null
}

/** The same shares for a uniform map: the regions' share of the face's area (the chance level). */
export function uniformShares(size: number): RegionShares {
  return regionShares(new Array<number>(size * size).fill(1), size) as RegionShares
}

/** Per-pixel mean over RGB of |a − b| for two HWC byte images: the app's emotion map before smoothing. */
export function differenceMap(a: ArrayLike<number>, b: ArrayLike<number>, size: number): Float32Array {
  const out = new Float32Array(size * size)
  for (let p = 0; p < size * size; p++)
    out[p] = (Math.abs(a[p * 3] - b[p * 3]) + Math.abs(a[p * 3 + 1] - b[p * 3 + 1]) + Math.abs(a[p * 3 + 2] - b[p * 3 + 2])) / 3
  return out
}

/**
 * The same-person threshold, derived from data: the cosine that only `falseMatchRate` of pairs of
 * different people exceed (pairs from differentPeoplePairs; different FERPlus images are almost
 * always different people).
 */
export function samePersonThreshold(differentPeople: number[], falseMatchRate = 0.01): number | null {
  if (differentPeople.length === 0) return null
  const sorted = [...differentPeople].sort((a, b) => a - b)
  const index = Math.min(sorted.length - 1, Math.floor((1 - falseMatchRate) * sorted.length))
  return sorted[index]
}

/** Up to this many faces, every pair of different people is used; beyond, one pair per face. */
export const ALL_PAIRS_UP_TO = 400

/**
 * Cosines of pairs of different people, in a fixed order so the figure is reproducible. A small set
 * (≤ ALL_PAIRS_UP_TO faces, e.g. Yale's 59) uses every pair; a large one pairs face i with face
 * i + ⌊n/2⌋. Where the people are known (`people[i]`, e.g. Yale's `subject07`), pairs of one person's
 * two photos are left out: they would count same-person cosines among the different people's.
 */
export function differentPeoplePairs<T>(items: T[], cosine: (a: T, b: T) => number, people?: string[]): number[] {
  const different = (i: number, j: number) => !people || people[i] !== people[j]
  const pairs: number[] = []
  if (items.length <= ALL_PAIRS_UP_TO) {
    for (let i = 0; i < items.length; i++)
      for (let j = i + 1; j < items.length; j++) if (different(i, j)) pairs.push(cosine(items[i], items[j]))
    return pairs
  }
  const half = Math.floor(items.length / 2)
  for (let i = 0; i < half; i++) if (different(i, i + half)) pairs.push(cosine(items[i], items[i + half]))
  return pairs
}
