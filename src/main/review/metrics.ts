/**
 * How well an ordering finds wrong labels: precision among the first n, and the area under the
 * ROC curve (the chance that a random wrong label ranks above a random right one; 0.5 = random).
 */

/** `ranked[i]` is true when the i-th sample of the ordering really is mislabelled. */
export function precisionAt(ranked: boolean[], n: number): number {
  const top = ranked.slice(0, n)
  return top.length ? top.filter(Boolean).length / top.length : 0
}

/**
 * AUROC of scores where higher means "more likely wrong", with ties counted as half (the
 * Mann–Whitney U statistic).
 */
export function auroc(scores: number[], wrong: boolean[]): number {
  const order = scores.map((s, i) => ({ s, w: wrong[i] })).sort((a, b) => a.s - b.s)
  let rankSumWrong = 0
  let nWrong = 0
  for (let i = 0; i < order.length;) {
    let j = i
    while (j < order.length && order[j].s === order[i].s) j++
    const averageRank = (i + 1 + j) / 2 // ranks are 1-based
    for (let t = i; t < j; t++)
      if (order[t].w) {
        rankSumWrong += averageRank
        nWrong++
      }
    i = j
  }
  const nRight = order.length - nWrong
  if (nWrong === 0 || nRight === 0) return NaN
  return (rankSumWrong - (nWrong * (nWrong + 1)) / 2) / (nWrong * nRight)
}

/**
 * Precision among the n samples with the highest scores, ties broken at random — as its expected
 * value, so a score with many ties (a yes/no flag, "prediction ≠ label") is judged fairly and the
 * figure does not depend on file order. Higher score = more likely wrong.
 */
export function expectedPrecisionAt(scores: number[], wrong: boolean[], n: number): number {
  const take = Math.min(n, scores.length)
  if (take === 0) return 0
  const order = scores.map((s, i) => ({ s, w: wrong[i] })).sort((a, b) => b.s - a.s)
  let hits = 0
  let used = 0
  for (let i = 0; i < order.length && used < take;) {
    let j = i
    let groupWrong = 0
    while (j < order.length && order[j].s === order[i].s) groupWrong += order[j++].w ? 1 : 0
    const group = j - i
    const fromGroup = Math.min(group, take - used)
    hits += (fromGroup * groupWrong) / group
    used += fromGroup
    i = j
  }
  return hits / take
}
