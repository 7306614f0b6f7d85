import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { softmax } from '@shared/models'
import { asTrained, foldedCalibration, withoutTemperature } from '@main/evaluation/foldedCalibration'

// What training/pfvit/calibration.py folds into C: z' = (z - tau * log prior) / T.
const fold = { tau: 0.3, temperature: 0.7, trainPrior: [0.6, 0.3, 0.1] }
const trained = [2.1, -0.4, 0.9]
const adjusted = trained.map((z, k) => z - fold.tau * Math.log(fold.trainPrior[k]))
const stored = softmax(adjusted.map((z) => z / fold.temperature))

describe('undoing the corrections folded into an exported classifier', () => {
  it('recovers the probabilities without the temperature from the stored ones', () => {
    withoutTemperature(stored, fold).forEach((p, k) => expect(p).toBeCloseTo(softmax(adjusted)[k], 12))
  })

  it('recovers the trained network’s own probabilities', () => {
    asTrained(stored, fold).forEach((p, k) => expect(p).toBeCloseTo(softmax(trained)[k], 12))
  })

  it('reads tau, T and the training prior from model.json, and nothing from a card without them', () => {
    const training = { calibration: { tau: 0.3, temperature: 0.7, train_prior: [0.6, 0.3, 0.1] } }
    expect(foldedCalibration(training, 3)).toEqual(fold)
    expect(foldedCalibration(training, 8)).toBeNull() // prior for another class list
    expect(foldedCalibration({ calibration: { ...training.calibration, temperature: 0 } }, 3)).toBeNull()
    expect(foldedCalibration({}, 3)).toBeNull()
    expect(foldedCalibration(undefined, 3)).toBeNull()
  })

  it('finds the corrections in the shipped default model, so eval can report ECE before them', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '../../resources/models/pfvit-ferplus-small-v9/model.json'), 'utf8'))
    const found = foldedCalibration(manifest.training, manifest.classes.length)
    expect(found?.temperature).toBe(manifest.training.calibration.temperature)
  })
})
