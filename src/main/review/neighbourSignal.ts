/**
 * The neighbour label score (issue 17): the share of a face's nearest neighbours by embedding that
 * carry another label. A label the faces most like it do not share is a candidate error, and the
 * evidence is independent of the face's own probabilities (it comes from other faces' labels).
 * Neighbours without a label do not count; a face whose neighbours are all unlabelled, or that has
 * no label itself, has no score (null).
 */
export function neighbourDisagreement(
  own: string | null,
  neighbours: ArrayLike<number>,
  labelOf: (neighbour: number) => string | null
): number | null {
  if (own === null) return null
  let labelled = 0
  let other = 0
  for (let i = 0; i < neighbours.length; i++) {
    if (neighbours[i] < 0) continue
    const label = labelOf(neighbours[i])
    if (label === null) continue
    labelled++
    if (label !== own) other++
  }
  return labelled === 0 ? null : other / labelled
}
