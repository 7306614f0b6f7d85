import { describe, expect, it } from 'vitest'
import {
  argmax,
  confidentClass,
  confidentJoint,
  normalisedMargin,
  perClassThresholds,
  selfConfidence
} from '@main/review/confidentLearning'
import { auroc, expectedPrecisionAt, precisionAt } from '@main/review/metrics'
import { classificationReport } from '@main/review/accuracy'

const items = [
  { given: 0, probabilities: [0.9, 0.1, 0.0] },
  { given: 0, probabilities: [0.7, 0.2, 0.1] },
  { given: 0, probabilities: [0.1, 0.85, 0.05] }, // labelled 0, confidently 1: a label issue
  { given: 1, probabilities: [0.2, 0.8, 0.0] },
  { given: 1, probabilities: [0.3, 0.6, 0.1] },
  { given: 2, probabilities: [0.3, 0.3, 0.4] }
]

describe('confident learning', () => {
  it('sets each class’s threshold to the mean probability of that class over its own samples', () => {
    const t = perClassThresholds(items, 3)
    expect(t[0]).toBeCloseTo((0.9 + 0.7 + 0.1) / 3)
    expect(t[1]).toBeCloseTo(0.7)
    expect(t[2]).toBeCloseTo(0.4)
    expect(perClassThresholds([], 2)).toEqual([Infinity, Infinity])
  })

  it('finds the confident class and counts the confident joint', () => {
    const t = perClassThresholds(items, 3)
    expect(confidentClass(items[2].probabilities, t)).toBe(1)
    expect(confidentClass([0.5, 0.45, 0.05], t)).toBeNull() // below every threshold
    expect(confidentJoint(items, t)).toEqual([
      [2, 1, 0],
      [0, 1, 0],
      [0, 0, 1]
    ])
  })

  it('scores self-confidence and normalised margin', () => {
    expect(selfConfidence(items[2])).toBeCloseTo(0.1)
    expect(normalisedMargin(items[2])).toBeCloseTo(0.1 - 0.85)
    expect(normalisedMargin(items[0])).toBeCloseTo(0.8)
    expect(argmax([0.1, 0.7, 0.2])).toBe(1)
  })
})

describe('ranking quality', () => {
  it('computes precision at n and AUROC with ties as halves', () => {
    expect(precisionAt([true, false, true, true], 2)).toBe(0.5)
    expect(auroc([0.9, 0.8, 0.1, 0.2], [true, true, false, false])).toBe(1)
    expect(auroc([0.1, 0.2, 0.9, 0.8], [true, true, false, false])).toBe(0)
    expect(auroc([0.5, 0.5, 0.5, 0.5], [true, false, true, false])).toBe(0.5)
    expect(auroc([0.9, 0.4, 0.4, 0.1], [true, true, false, false])).toBeCloseTo(0.875)
  })

  it('takes precision at n of tied scores as its expected value under random tie-breaking', () => {
    // A yes/no score: 2 of the 4 "yes" are wrong; the top 2 are then 1 wrong in expectation.
    const flag = [1, 1, 1, 1, 0, 0]
    const wrong = [true, true, false, false, true, false]
    expect(expectedPrecisionAt(flag, wrong, 2)).toBeCloseTo(0.5)
    expect(expectedPrecisionAt(flag, wrong, 4)).toBeCloseTo(0.5)
    expect(expectedPrecisionAt(flag, wrong, 5)).toBeCloseTo((2 + 0.5) / 5)
    expect(expectedPrecisionAt([3, 2, 1], [true, false, true], 2)).toBe(0.5) // no ties: plain precision
    expect(expectedPrecisionAt([3, 2, 1], [true, false, true], 10)).toBeCloseTo(2 / 3) // n past the end: all
    expect(expectedPrecisionAt([], [], 5)).toBe(0)
  })
})

describe('classification report (same keys as training/pfvit/metrics.py)', () => {
  it('counts accuracy, per-class accuracy and the confusion matrix with true classes as rows', () => {
    expect(classificationReport([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], ['a', 'b', 'c'])).toEqual({
      samples: 5,
      accuracy: 0.6,
      // (0.5 + 2/3) / 2: class c has no images and does not count
      mean_class_recall: 0.583333,
      per_class_accuracy: { a: 0.5, b: 0.666667, c: null },
      class_counts: { a: 2, b: 3, c: 0 },
      classes: ['a', 'b', 'c'],
      confusion_matrix: [
        [1, 1, 0],
        [1, 2, 0],
        [0, 0, 0]
      ]
    })
  })
})
