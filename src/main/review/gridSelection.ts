/**
 * Which faces a model card's example grid shows: the first `perClass` faces of each class in
 * path order, classes in the model's order, so the grid covers every expression and anyone
 * rerunning `pokerface eval --grid` gets the same faces. Classes with too few faces leave their
 * places to the next faces in path order.
 */
export function pickGridSamples<T extends { label: string | null }>(
  samples: readonly T[],
  classes: readonly string[],
  perClass: number,
  total = perClass * classes.length
): T[] {
  const picked: T[] = []
  for (const cls of classes) picked.push(...samples.filter((s) => s.label === cls).slice(0, perClass))
  for (const s of samples) {
    if (picked.length >= total) break
    if (!picked.includes(s)) picked.push(s)
  }
  return picked.slice(0, total)
}
