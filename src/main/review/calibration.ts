/**
 * How well a model's probabilities match how often it is right: expected calibration error (Guo et
 * al. 2017, 15 equal-width confidence bins, the same definition as training/pfvit/calibration.py)
 * and the mean negative log-likelihood of the true class. The ranking and the suggestions read
 * these probabilities, so a model card reports both.
 */
export interface CalibrationReport {
  bins: number
  expected_calibration_error: number | null
  negative_log_likelihood: number | null
  mean_confidence: number | null
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6

/** `probabilities[i]` is image i's distribution in the model's class order; `labels[i]` its true class. */
export function calibrationReport(probabilities: number[][], labels: number[], bins = 15): CalibrationReport {
  const n = labels.length
  if (n === 0) return { bins, expected_calibration_error: null, negative_log_likelihood: null, mean_confidence: null }
  const count = new Array<number>(bins).fill(0)
  const confidenceSum = new Array<number>(bins).fill(0)
  const correctSum = new Array<number>(bins).fill(0)
  let nll = 0
  let confidenceTotal = 0
  probabilities.forEach((p, i) => {
    let best = 0
    for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c
    const confidence = p[best]
    // Bins are (lo, hi]; a confidence of exactly 0 cannot happen for a softmax over finite logits.
    const bin = Math.min(bins - 1, Math.max(0, Math.ceil(confidence * bins) - 1))
    count[bin]++
    confidenceSum[bin] += confidence
    correctSum[bin] += best === labels[i] ? 1 : 0
    nll -= Math.log(Math.max(p[labels[i]], 1e-12))
    confidenceTotal += confidence
  })
  let ece = 0
  for (let b = 0; b < bins; b++) {
    if (count[b]) ece += (count[b] / n) * Math.abs(correctSum[b] / count[b] - confidenceSum[b] / count[b])
  }
  return {
    bins,
    expected_calibration_error: round6(ece),
    negative_log_likelihood: round6(nll / n),
    mean_confidence: round6(confidenceTotal / n)
  }
}
