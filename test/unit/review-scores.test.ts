import { describe, expect, it } from 'vitest'
import { classDistribution, confusionMatrix, perClassAgreement } from '@main/review/agreement'
import { emotionIntensity } from '@main/review/intensity'
import { isOutOfSample, trainingOverlap } from '@main/review/outOfSample'
import {
  INTENSITY_WEIGHT,
  intensityMismatch,
  neutralShareByIntensity,
  rankLabelIssues,
  type RankItem
} from '@main/review/ranking'

const item = (
  given: number | null,
  probabilities: number[],
  intensity: number | null = null,
  outOfSample: boolean | null = true
): RankItem => ({
  given,
  probabilities,
  intensity,
  outOfSample
})

describe('label-issue ranking', () => {
  it('flags a label the model confidently puts in another class, and suggests that class', () => {
    const items = [
      item(0, [0.9, 0.1, 0]),
      item(0, [0.7, 0.2, 0.1]),
      item(0, [0.1, 0.85, 0.05]), // labelled 0, confidently 1
      item(1, [0.2, 0.8, 0]),
      item(1, [0.3, 0.6, 0.1]),
      item(2, [0.3, 0.3, 0.4])
    ]
    const { scores, thresholds, thresholdsFrom } = rankLabelIssues(items, 3, null)
    expect(thresholdsFrom).toBe('out-of-sample')
    expect(thresholds[1]).toBeCloseTo(0.7)
    expect(scores.map((s) => s.flagged)).toEqual([false, false, true, false, false, false])
    expect(scores[2]).toMatchObject({ confident: 1, suggested: 1, predicted: 1 })
    expect(scores[2].selfConfidence).toBeCloseTo(0.1)
    expect(scores[2].margin).toBeCloseTo(-0.75)
    // Without a poker face the combined score is the margin mapped to 0..1; the default one is 1 − p(label).
    expect(scores[2].combined).toBeCloseTo((1 + 0.75) / 2)
    expect(scores[2].score).toBeCloseTo(1 - 0.1)
    expect(scores[0]).toMatchObject({ suggested: null, intensityMismatch: null })
    // The flagged label is the most likely wrong one.
    const order = scores.map((s, i) => [s.score as number, i]).sort((a, b) => b[0] - a[0])
    expect(order[0][1]).toBe(2)
  })

  it('suggests the most probable class where confident learning is unsure but the model disagrees', () => {
    // Class 1's threshold is high (0.9), so 0.6 for class 1 is not confident; argmax still disagrees with label 0.
    const { scores } = rankLabelIssues(
      [item(1, [0.05, 0.95]), item(1, [0.15, 0.85]), item(0, [0.4, 0.6]), item(0, [0.95, 0.05])],
      2,
      null
    )
    expect(scores[2]).toMatchObject({ flagged: false, confident: null, suggested: 1 })
  })

  it('takes thresholds from out-of-sample images only, where a class has any', () => {
    const items = [
      item(0, [0.99, 0.01], null, false), // memorised training image: overconfident
      item(0, [0.6, 0.4], null, true),
      item(1, [0.1, 0.9], null, false) // class 1 has no out-of-sample image
    ]
    const { thresholds, thresholdsFrom } = rankLabelIssues(items, 2, null)
    expect(thresholds[0]).toBeCloseTo(0.6)
    expect(thresholds[1]).toBeCloseTo(0.9)
    expect(thresholdsFrom).toBe('mixed')
    expect(rankLabelIssues([item(0, [0.9, 0.1], null, null)], 2, null).thresholdsFrom).toBe('all')
  })

  it('does not judge samples without a label the model knows, but suggests a class for unlabelled ones', () => {
    const { scores } = rankLabelIssues([item(null, [0.2, 0.8]), item(0, [0.6, 0.4])], 2, null)
    expect(scores[0]).toEqual({
      predicted: 1,
      selfConfidence: null,
      margin: null,
      confident: null,
      flagged: false,
      suggested: 1,
      intensityMismatch: null,
      combined: null,
      score: null
    })
  })

  it('scores a neutral label on a face far from its poker face, and an expressive label on one close to it, as mismatches', () => {
    const neutral = 0
    // 20 neutral faces close to their poker face (intensity ~0.01) and 20 happy faces far from it (~0.2).
    const items: RankItem[] = []
    for (let i = 0; i < 20; i++) items.push(item(0, [0.8, 0.2], 0.01 + i * 0.0001), item(1, [0.2, 0.8], 0.2 + i * 0.001))
    const suspectNeutral = item(0, [0.8, 0.2], 0.25) // "neutral", yet the generator removed a lot
    const suspectHappy = item(1, [0.2, 0.8], 0.005) // "happy", yet nothing to remove
    const typicalNeutral = item(0, [0.8, 0.2], 0.0105)
    const { scores } = rankLabelIssues([...items, suspectNeutral, suspectHappy, typicalNeutral], 2, neutral)
    const [sn, sh, tn] = scores.slice(-3)
    // (Each suspect sits in a bin of ~4 faces, itself included, so the share is smoothed away from 1.)
    expect(sn.intensityMismatch as number).toBeGreaterThan(0.6)
    expect(sh.intensityMismatch as number).toBeGreaterThan(0.6)
    expect(tn.intensityMismatch as number).toBeLessThan(0.2)
    // Same probabilities, so the intensity alone moves the combined score, by its weight.
    expect((sn.combined as number) - (tn.combined as number)).toBeCloseTo(
      INTENSITY_WEIGHT * ((sn.intensityMismatch as number) - (tn.intensityMismatch as number))
    )
  })

  it('calibrates the neutral share by intensity quantiles, smoothed towards the overall share', () => {
    const calibration = neutralShareByIntensity(
      [item(0, [1, 0], 0.1), item(0, [1, 0], 0.2), item(1, [0, 1], 0.3), item(1, [0, 1], 0.4)],
      0,
      2
    )
    expect(calibration?.prior).toBe(0.5)
    expect(calibration?.share(0.15)).toBeCloseTo((2 + 0.5) / 3)
    expect(calibration?.share(0.9)).toBeCloseTo(0.5 / 3)
    expect(neutralShareByIntensity([item(0, [1, 0], null)], 0)).toBeNull()
  })

  it('gives every face 0.5 when the intensity says nothing, whatever the class balance', () => {
    // 30 % neutral at every intensity: no evidence either way, so no class is ranked above another.
    expect(intensityMismatch(0.3, 0.3, true)).toBeCloseTo(0.5)
    expect(intensityMismatch(0.3, 0.3, false)).toBeCloseTo(0.5)
    const items: RankItem[] = []
    for (let i = 0; i < 100; i++) items.push(item(i % 10 < 3 ? 0 : 1, [0.5, 0.5], (i % 7) / 7))
    const { scores } = rankLabelIssues(items, 2, 0)
    for (const s of scores) expect(Math.abs((s.intensityMismatch as number) - 0.5)).toBeLessThan(0.15)
    // Evidence for neutral (a bin twice as neutral as the whole) speaks against an expressive label, for a neutral one.
    expect(intensityMismatch(0.6, 0.3, false)).toBeGreaterThan(0.7)
    expect(intensityMismatch(0.6, 0.3, true)).toBeLessThan(0.3)
  })
})

describe('PF-ViT expression intensity', () => {
  const norm = { size: 2, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }
  it('is the mean pixel difference between face and poker face, after undoing the normalisation', () => {
    const face = new Float32Array(12).fill(0) // pixel value 0.5 everywhere
    expect(emotionIntensity(face, face, 0, norm)).toBe(0)
    const poker = new Float32Array(12).fill(0)
    poker.fill(2, 0, 4) // red channel at (2 · 0.25 + 0.5) = 1.0: a difference of 0.5 on a third of the values
    expect(emotionIntensity(face, poker, 0, norm)).toBeCloseTo(0.5 / 3)
    // Values past the displayable range count as far as the range goes (as the emotion map shows them).
    poker.fill(100, 0, 4)
    expect(emotionIntensity(face, poker, 0, norm)).toBeCloseTo(0.5 / 3)
    // Reads the image at its offset in a batch.
    const batch = new Float32Array(24)
    batch.set(poker, 12)
    expect(emotionIntensity(new Float32Array(24), batch, 12, norm)).toBeCloseTo(0.5 / 3)
  })
})

describe('out-of-sample', () => {
  it('reads the model card: FERPlus Train is in-sample for a FERPlus dataset’s train split only', () => {
    const shipped = trainingOverlap('FERPlus FER2013Train (label.csv votes, majority protocol)', 'ferplus')
    expect(shipped.inSample).toEqual(['train'])
    expect(isOutOfSample(shipped, 'train')).toBe(false)
    expect(isOutOfSample(shipped, 'valid')).toBe(true)
    expect(isOutOfSample(shipped, 'test')).toBe(true)
    expect(isOutOfSample(shipped, null)).toBeNull()
    expect(trainingOverlap('FERPlus FER2013Train', 'rafdb').inSample).toBe('none')
    expect(trainingOverlap('FERPlus FER2013Train', 'imagefolder').inSample).toBe('unknown')
    // A folder the researcher declared out-of-sample: the card cannot place it, they can.
    const declared = trainingOverlap('FERPlus FER2013Train', 'imagefolder', '2025-01-02T03:04:05.000Z')
    expect(declared.inSample).toBe('none')
    expect(declared.reason).toMatch(/^Declared out-of-sample \(2025-01-02\)/)
    expect(isOutOfSample(declared, null)).toBe(true)
    expect(trainingOverlap('untrained (random initialisation; for tests only)', 'imagefolder').inSample).toBe('none')
    expect(trainingOverlap(undefined, 'ferplus').inSample).toBe('unknown')
    expect(isOutOfSample(trainingOverlap('AffectNet training set', 'ferplus'), 'valid')).toBeNull()
  })
})

describe('agreement of labels and predictions', () => {
  it('counts the confusion matrix in class order and derives per-class precision and recall', () => {
    const confusion = confusionMatrix(
      [
        { actual: 'happiness', predicted: 'happiness', n: 8 },
        { actual: 'happiness', predicted: 'neutral', n: 2 },
        { actual: 'neutral', predicted: 'neutral', n: 5 },
        { actual: 'neutral', predicted: 'happiness', n: 4 },
        { actual: 'contempt', predicted: 'neutral', n: 1 }
      ],
      ['neutral', 'happiness', 'surprise']
    )
    expect(confusion.rows).toEqual(['neutral', 'happiness', 'contempt'])
    expect(confusion.columns).toEqual(['neutral', 'happiness', 'surprise'])
    expect(confusion.counts).toEqual([
      [5, 4, 0],
      [2, 8, 0],
      [1, 0, 0]
    ])
    const per = Object.fromEntries(perClassAgreement(confusion).map((c) => [c.label, c]))
    expect(per.neutral).toEqual({ label: 'neutral', precision: 5 / 8, recall: 5 / 9, support: 9, predicted: 8 })
    expect(per.happiness.precision).toBeCloseTo(8 / 12)
    expect(per.surprise).toMatchObject({ precision: null, recall: null, support: 0 })
    expect(per.contempt).toMatchObject({ precision: null, recall: 0, support: 1, predicted: 0 })
  })
})

describe('class distribution', () => {
  it('counts original and current labels, and leaves out the dropped samples after cleaning', () => {
    const tally = [
      { original: 'happiness', current: 'happiness', n: 5 },
      { original: 'happiness', current: 'sadness', n: 2 },
      { original: null, current: 'neutral', n: 1 },
      { original: 'anger', current: null, n: 3 }
    ]
    expect(classDistribution(tally, new Map([['sadness', 1]]))).toEqual([
      { label: 'neutral', original: 0, current: 1, cleaned: 1 },
      { label: 'happiness', original: 7, current: 5, cleaned: 5 },
      { label: 'sadness', original: 0, current: 2, cleaned: 1 },
      { label: 'anger', original: 3, current: 0, cleaned: 0 }
    ])
  })
})
