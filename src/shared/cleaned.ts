/**
 * What a cleaned dataset is: every sample except those the researcher marked exclude (X) or not a
 * face (N). Keep (K) and ambiguous (U) are judgements about the label, not reasons to drop the
 * face. The cleaned CSV, the cleaned ImageFolder tree and the Metrics tab's "cleaned" figures all
 * ask here, so what the tab shows is what the export writes (issue #16: they once disagreed).
 */
import type { ExportResult, ReviewFlag } from './types'

/** The marks that leave a sample out, the more specific first: a face that is not a face is that, whatever else. */
const LEAVES_OUT = ['not_a_face', 'exclude'] as const satisfies readonly ReviewFlag[]
type LeftOutReason = (typeof LEAVES_OUT)[number]

/** The mark that leaves a sample out of cleaned exports, or null when it stays in. */
export function leftOutBy(marks: readonly ReviewFlag[]): LeftOutReason | null {
  return LEAVES_OUT.find((m) => marks.includes(m)) ?? null
}

/** How many samples a cleaned export left out, by the mark that did it (each sample counted once). */
export type LeftOutCounts = NonNullable<ExportResult['leftOut']>

export function splitCleaned<T extends { marks: readonly ReviewFlag[] }>(
  samples: readonly T[]
): { kept: T[]; leftOut: LeftOutCounts } {
  const kept: T[] = []
  const leftOut: LeftOutCounts = { excluded: 0, notAFace: 0 }
  for (const s of samples) {
    const reason = leftOutBy(s.marks)
    if (reason === 'exclude') leftOut.excluded++
    else if (reason === 'not_a_face') leftOut.notAFace++
    else kept.push(s)
  }
  return { kept, leftOut }
}

/** "2 excluded and 1 not a face left out" — for the dialog and the command line. */
export function describeLeftOut(leftOut: LeftOutCounts): string {
  const { excluded, notAFace } = leftOut
  if (excluded + notAFace === 0) return 'nothing marked exclude or not a face, so nothing left out'
  const parts = []
  if (excluded) parts.push(`${excluded.toLocaleString('en-US')} excluded`)
  if (notAFace) parts.push(`${notAFace.toLocaleString('en-US')} not a face`)
  return `${parts.join(' and ')} left out`
}

/** Per current label, how many of these samples a cleaned export leaves out (the Metrics tab's "cleaned" bars). */
export function leftOutByLabel<L extends string>(
  samples: readonly { currentLabel: L | null; marks: readonly ReviewFlag[] }[]
): Map<L, number> {
  const counts = new Map<L, number>()
  for (const s of samples)
    if (s.currentLabel !== null && leftOutBy(s.marks) !== null) counts.set(s.currentLabel, (counts.get(s.currentLabel) ?? 0) + 1)
  return counts
}
