/**
 * McNemar's test on paired per-image predictions: do two models err on different images more often
 * one way than the other? Only the discordant pairs count (A right and B wrong: b; A wrong and B
 * right: c). With few discordant pairs the exact two-sided binomial test is used, as McNemar's
 * chi-square approximation is poor there; it is exact for any count, so it is always used here.
 */
export interface McNemarResult {
  images: number
  both_right: number
  only_a_right: number
  only_b_right: number
  both_wrong: number
  /** Two-sided exact p-value of b vs c under "either model is as likely to be the one that is right". */
  p_value: number
}

/** log(n choose k), by sums of logs: exact enough for n in the tens of thousands. */
function logChoose(n: number, k: number): number {
  let s = 0
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i)
  return s
}

/** Two-sided exact binomial p-value of k successes in n trials at p = 1/2. */
export function binomialTwoSided(k: number, n: number): number {
  if (n === 0) return 1
  const small = Math.min(k, n - k)
  let tail = 0
  for (let i = 0; i <= small; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2)
  return Math.min(1, 2 * tail)
}

/** `aRight[i]`, `bRight[i]`: whether model A and model B got image i right. */
export function mcnemar(aRight: boolean[], bRight: boolean[]): McNemarResult {
  if (aRight.length !== bRight.length) throw new Error('paired predictions must cover the same images')
  let both = 0
  let onlyA = 0
  let onlyB = 0
  let neither = 0
  aRight.forEach((a, i) => {
    if (a && bRight[i]) both++
    else if (a) onlyA++
    else if (bRight[i]) onlyB++
    else neither++
  })
  return {
    images: aRight.length,
    both_right: both,
    only_a_right: onlyA,
    only_b_right: onlyB,
    both_wrong: neither,
    p_value: binomialTwoSided(onlyA, onlyA + onlyB)
  }
}
