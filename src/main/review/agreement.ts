/**
 * How the current labels and the model's predictions agree: the confusion matrix (rows = current
 * label, columns = predicted class) and, per class, precision and recall of the model taking the
 * current labels as truth. Plain functions over counts; the store does the counting in SQL.
 */
import { sortLabels, type Label } from '@shared/emotions'

export interface ConfusionCount {
  actual: Label
  predicted: Label
  n: number
}

export interface Confusion {
  /** Current labels, display order. */
  rows: Label[]
  /** Predicted classes: the model's classes in its order, then any other predicted name. */
  columns: Label[]
  /** counts[row][column] */
  counts: number[][]
}

export interface ClassAgreement {
  label: Label
  /** Of the samples the model predicts as this class, the share labelled so; null when it predicts none. */
  precision: number | null
  /** Of the samples labelled this class, the share the model predicts so; null when none is labelled so. */
  recall: number | null
  /** Samples labelled this class (with a prediction). */
  support: number
  /** Samples predicted as this class. */
  predicted: number
}

export function confusionMatrix(cells: ConfusionCount[], modelClasses: readonly Label[]): Confusion {
  const rows = sortLabels(cells.map((c) => c.actual))
  const extra = cells.map((c) => c.predicted).filter((p) => !modelClasses.includes(p))
  const columns = [...modelClasses, ...sortLabels(extra)]
  const counts = rows.map(() => new Array<number>(columns.length).fill(0))
  for (const c of cells) counts[rows.indexOf(c.actual)][columns.indexOf(c.predicted)] += c.n
  return { rows, columns, counts }
}

export function perClassAgreement(confusion: Confusion): ClassAgreement[] {
  const labels = sortLabels([...confusion.rows, ...confusion.columns])
  return labels.map((label) => {
    const r = confusion.rows.indexOf(label)
    const c = confusion.columns.indexOf(label)
    const support = r === -1 ? 0 : confusion.counts[r].reduce((a, b) => a + b, 0)
    const predicted = c === -1 ? 0 : confusion.counts.reduce((a, row) => a + row[c], 0)
    const hits = r === -1 || c === -1 ? 0 : confusion.counts[r][c]
    return {
      label,
      precision: predicted ? hits / predicted : null,
      recall: support ? hits / support : null,
      support,
      predicted
    }
  })
}

export interface LabelCount {
  label: Label
  original: number
  current: number
  /** Current labels without the samples a cleaned dataset leaves out. */
  cleaned: number
}

/** Class distribution before (original labels) and after cleaning, in display order. */
export function classDistribution(
  tally: { original: Label | null; current: Label | null; n: number }[],
  dropped: Map<Label, number>
): LabelCount[] {
  const counts = new Map<Label, LabelCount>()
  const entry = (label: Label): LabelCount => {
    let c = counts.get(label)
    if (!c) counts.set(label, (c = { label, original: 0, current: 0, cleaned: 0 }))
    return c
  }
  for (const t of tally) {
    if (t.original !== null) entry(t.original).original += t.n
    if (t.current !== null) entry(t.current).current += t.n
  }
  for (const c of counts.values()) c.cleaned = c.current - (dropped.get(c.label) ?? 0)
  return sortLabels([...counts.keys()]).map((l) => counts.get(l) as LabelCount)
}
