/**
 * The odd-image score (issue 17 item 2): how likely an image is not a usable face (blank, not a
 * face, a graphic, an extreme crop). Pure: it reads only what a run already stored, the classifier's
 * probabilities and the cosine similarities of the image's nearest neighbours by embedding.
 *
 * Two signals, both high for odd images:
 * - isolation: 1 − the mean similarity to the k nearest neighbours. A face sits among many faces
 *   like it; a graphic or a blank square has no close neighbour in a face dataset.
 * - uncertainty: the entropy of the class probabilities over its maximum (0..1). The classifier
 *   has no expression to read in a non-face, so its probabilities spread out.
 *
 * The score is a weighted sum. ODD_ISOLATION_WEIGHT was chosen by `npm run bench:odd` on FERPlus
 * Train + Valid only (truth: at least one of the 10 annotators voted "not a face"), never on Test; the
 * bench prints the weight it chooses, so re-measure before changing it. Measured on FERPlus Test
 * with pfvit-ferplus-small-v4 (500 bootstraps): AUROC 0.618 [0.54, 0.69] against NF ≥ 1 vote (61
 * positives) and 0.689 [0.64, 0.74] against unknown ≥ 3 votes (94): a weak signal, better than
 * either part alone only within noise; pixel spread (blank images) scored below chance there, so it
 * is not used.
 */
export const ODD_ISOLATION_WEIGHT = 0.55

/** 1 − mean cosine similarity to the neighbours that exist (id ≥ 0); null when there are none. */
export function isolation(neighbours: ArrayLike<number>, similarities: ArrayLike<number>): number | null {
  let sum = 0
  let n = 0
  for (let i = 0; i < neighbours.length; i++) {
    if (neighbours[i] < 0 || !Number.isFinite(similarities[i])) continue
    sum += similarities[i]
    n++
  }
  return n === 0 ? null : 1 - sum / n
}

/** Entropy of the probabilities divided by log(number of classes): 0 certain, 1 uniform. */
export function uncertainty(probabilities: ArrayLike<number>): number {
  const k = probabilities.length
  if (k < 2) return 0
  let h = 0
  for (let i = 0; i < k; i++) {
    const p = probabilities[i]
    if (p > 0) h -= p * Math.log(p)
  }
  return h / Math.log(k)
}

/**
 * The odd-image score: weight · isolation + (1 − weight) · uncertainty; null without neighbours
 * (a model without embeddings), since uncertainty alone mostly finds hard faces, not odd ones.
 */
export function oddness(
  probabilities: ArrayLike<number>,
  neighbours: ArrayLike<number>,
  similarities: ArrayLike<number>,
  weight = ODD_ISOLATION_WEIGHT
): number | null {
  const iso = isolation(neighbours, similarities)
  if (iso === null) return null
  return weight * iso + (1 - weight) * uncertainty(probabilities)
}

/**
 * The odd-images queue holds the images scoring at least this: about the top 1 % of FERPlus
 * Train + Valid with pfvit-ferplus-small-v4 (`npm run bench:odd` prints the share and the Test
 * precision and recall at this cut). A short list to look through, not a verdict.
 */
export const ODD_QUEUE_MIN = 0.45
