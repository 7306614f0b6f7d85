/**
 * Classification report over plain lists, with the same keys as training/pfvit/metrics.py so the
 * app's `pokerface eval` and the training toolkit's evaluate.py can be compared line by line.
 */
export interface ClassificationReport {
  samples: number
  accuracy: number | null
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
  return {
    samples: labels.length,
    accuracy: labels.length ? round6(correct / labels.length) : null,
    per_class_accuracy: Object.fromEntries(classes.map((c, i) => [c, rowSum(i) ? round6(matrix[i][i] / rowSum(i)) : null])),
    class_counts: Object.fromEntries(classes.map((c, i) => [c, rowSum(i)])),
    classes,
    confusion_matrix: matrix
  }
}
