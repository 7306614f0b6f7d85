/**
 * Classification report over plain lists, with the same keys as training/pfvit/metrics.py so the
 * app's `pokerface eval` and the training toolkit's evaluate.py can be compared line by line.
 */
export interface ClassificationReport {
  samples: number
  accuracy: number | null
  /** Mean of the per-class recalls over the classes present: accuracy as if every class were as common. */
  mean_class_recall: number | null
  per_class_accuracy: Record<string, number | null>
  class_counts: Record<string, number>
  classes: string[]
  /** Rows are true classes, columns predicted classes. */
  confusion_matrix: number[][]
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6

export function classificationReport(labels: number[], predictions: number[], classes: string[]): ClassificationReport {
  const k = classes.length
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0))
  labels.forEach((t, i) => matrix[t][predictions[i]]++)
  const correct = matrix.reduce((s, row, i) => s + row[i], 0)
  const rowSum = (i: number): number => matrix[i].reduce((a, b) => a + b, 0)
  const recalls = classes.map((_, i) => (rowSum(i) ? matrix[i][i] / rowSum(i) : null))
  const present = recalls.filter((r): r is number => r !== null)
  return {
    samples: labels.length,
    accuracy: labels.length ? round6(correct / labels.length) : null,
    mean_class_recall: present.length ? round6(present.reduce((a, b) => a + b, 0) / present.length) : null,
    per_class_accuracy: Object.fromEntries(classes.map((c, i) => [c, recalls[i] === null ? null : round6(recalls[i] as number)])),
    class_counts: Object.fromEntries(classes.map((c, i) => [c, rowSum(i)])),
    classes,
    confusion_matrix: matrix
  }
}
