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
  for (let i = 0; i < order.length; ) {
    let j = i
    while (j < order.length && order[j].s === order[i].s) j++
    const averageRank = (i + 1 + j) / 2 // ranks are 1-based
    for (let t = i; t < j; t++) if (order[t].w) {
      rankSumWrong += averageRank
      nWrong++
    }
    i = j
  }
  const nRight = order.length - nWrong
  if (nWrong === 0 || nRight === 0) return NaN
  return (rankSumWrong - (nWrong * (nWrong + 1)) / 2) / (nWrong * nRight)
}
