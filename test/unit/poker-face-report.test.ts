import { describe, expect, it } from 'vitest'
import { pickGridSamples } from '../../src/main/review/gridSelection'
import { generatedFaceRgb } from '../../src/main/media/sheetLayout'
import { meanAbsDifference, summarisePokerFaces } from '../../src/main/review/pokerFaceReport'

const NEUTRAL = 0

describe('poker-face summary', () => {
  const checks = [
    // expressive faces: two poker faces called neutral, one still "happy"
    // (their reconstructions: one called neutral)
    { label: 1, pokerFaceClass: 0, reconstructionClass: 1, pokerFaceToInput: 0.1, reconstructionToInput: 0.05 },
    { label: 2, pokerFaceClass: 0, reconstructionClass: 0, pokerFaceToInput: 0.2, reconstructionToInput: 0.05 },
    { label: 1, pokerFaceClass: 1, reconstructionClass: 1, pokerFaceToInput: 0.3, reconstructionToInput: 0.08 },
    // a neutral face whose poker face stayed neutral
    { label: 0, pokerFaceClass: 0, reconstructionClass: 0, pokerFaceToInput: 0.04, reconstructionToInput: 0.04 },
    // unlabelled: counts in "all" only
    { label: null, pokerFaceClass: 3, reconstructionClass: 3, pokerFaceToInput: 0.5, reconstructionToInput: 0.1 }
  ]
  const summary = summarisePokerFaces(checks, NEUTRAL)

  it('counts poker faces the classifier calls neutral, per group', () => {
    expect(summary.all).toMatchObject({ images: 5, neutral_share: 0.6 })
    expect(summary.expressive).toMatchObject({ images: 3, neutral_share: 0.666667, reconstruction_neutral_share: 0.333333 })
    expect(summary.labelled_neutral).toMatchObject({ images: 1, neutral_share: 1 })
  })

  it('averages the L1 distances of poker faces and reconstructions to the input', () => {
    expect(summary.expressive.mean_l1_poker_face_to_input).toBeCloseTo(0.2, 6)
    expect(summary.expressive.mean_l1_reconstruction_to_input).toBeCloseTo(0.06, 6)
    expect(summary.all.mean_l1_poker_face_to_input).toBeCloseTo(0.228, 6)
  })

  it('reports empty groups as null rather than zero', () => {
    const none = summarisePokerFaces([], NEUTRAL)
    expect(none.all).toEqual({
      images: 0,
      neutral_share: null,
      reconstruction_neutral_share: null,
      mean_l1_poker_face_to_input: null,
      mean_l1_reconstruction_to_input: null
    })
  })
})

describe('pixel helpers', () => {
  it('measures mean absolute difference in 0..1 pixel units', () => {
    expect(meanAbsDifference([0, 255, 10, 20], [255, 255, 10, 20])).toBeCloseTo(0.25, 9)
    expect(() => meanAbsDifference([1, 2], [1])).toThrow(/differ in size/)
  })

  it('cuts one generated face out of a sheet of panels', () => {
    // 2 × 2 pixels per panel, 3 panels: every byte holds its panel's number
    const size = 2
    const sheet = new Uint8Array(size * size * 3 * 3)
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size * 3; x++)
        for (let c = 0; c < 3; c++) sheet[(y * size * 3 + x) * 3 + c] = Math.floor(x / size) * 10 + c
    const middle = generatedFaceRgb(sheet, size, 'poker_face') // the middle panel
    expect(Array.from(middle)).toEqual([10, 11, 12, 10, 11, 12, 10, 11, 12, 10, 11, 12])
  })
})

describe('example grid selection', () => {
  const samples = [
    { path: 'a', label: 'happiness' },
    { path: 'b', label: 'neutral' },
    { path: 'c', label: 'happiness' },
    { path: 'd', label: 'happiness' },
    { path: 'e', label: null },
    { path: 'f', label: 'neutral' }
  ]

  it('takes the first faces of each class in class order', () => {
    expect(pickGridSamples(samples, ['neutral', 'happiness'], 2).map((s) => s.path)).toEqual(['b', 'f', 'a', 'c'])
  })

  it('fills the places of scarce classes with the next faces in path order', () => {
    expect(pickGridSamples(samples, ['neutral', 'fear'], 2).map((s) => s.path)).toEqual(['b', 'f', 'a', 'c'])
    expect(pickGridSamples(samples, ['fear'], 1, 3).map((s) => s.path)).toEqual(['a', 'b', 'c'])
  })
})
