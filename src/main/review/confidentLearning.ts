/**
 * Confident learning (Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in
 * Dataset Labels", JAIR 2021), as plain functions over plain arrays. Probabilities must be
 * out-of-sample: predicted by a model that did not train on the image (see ranking.ts). The
 * per-sample functions also take a row of a matrix (`from`: where the row starts), as the ranking
 * holds 1M samples' probabilities in one array.
 */

export interface LabelledPrediction {
  /** Index of the given (possibly wrong) label in the model's classes. */
  given: number
  /** Out-of-sample class probabilities, in the model's class order. */
  probabilities: ArrayLike<number>
}

/**
 * Per-class thresholds: t_j is the mean probability of class j over the samples labelled j —
 * how confident the model usually is when the label is right. Classes with no samples get
 * Infinity (nothing can be confidently counted as them).
 */
export function perClassThresholds(items: LabelledPrediction[], k: number): number[] {
  const sum = new Array<number>(k).fill(0)
  const count = new Array<number>(k).fill(0)
  for (const { given, probabilities } of items) {
    sum[given] += probabilities[given]
    count[given]++
  }
  return sum.map((s, j) => (count[j] ? s / count[j] : Infinity))
}

/**
 * The class a sample confidently belongs to: among classes whose probability reaches their
 * threshold, the most probable; null when none does.
 */
export function confidentClass(probabilities: ArrayLike<number>, thresholds: number[], from = 0): number | null {
  let best: number | null = null
  for (let j = 0; j < thresholds.length; j++) {
    const p = probabilities[from + j]
    if (p >= thresholds[j] && (best === null || p > probabilities[from + best])) best = j
  }
  return best
}

/** The confident joint C[given][confident class]: the estimated counts of label noise. */
export function confidentJoint(items: LabelledPrediction[], thresholds: number[]): number[][] {
  const k = thresholds.length
  const joint = Array.from({ length: k }, () => new Array<number>(k).fill(0))
  for (const item of items) {
    const c = confidentClass(item.probabilities, thresholds)
    if (c !== null) joint[item.given][c]++
  }
  return joint
}

/** Self-confidence: the probability of the given label. Low = likely wrong. */
export function selfConfidence(item: LabelledPrediction): number {
  return item.probabilities[item.given]
}

/**
 * Normalised margin: p(given) − max p(other). In [−1, 1]; negative means the model prefers
 * another class. Low = likely wrong.
 */
export function normalisedMargin(item: LabelledPrediction): number {
  return marginAt(item.probabilities, item.given, 0, item.probabilities.length)
}

/** normalisedMargin of the row of `width` probabilities at `probabilities[from…]`. */
export function marginAt(probabilities: ArrayLike<number>, given: number, from: number, width: number): number {
  let other = 0
  for (let j = 0; j < width; j++) if (j !== given) other = Math.max(other, probabilities[from + j])
  return probabilities[from + given] - other
}

/** The index of the largest of `width` values at `values[from…]` (the first, on ties), counted from `from`. */
export function argmax(values: ArrayLike<number>, from = 0, width = values.length - from): number {
  let best = 0
  for (let j = 1; j < width; j++) if (values[from + j] > values[from + best]) best = j
  return best
}
