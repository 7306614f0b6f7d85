/**
 * Our exported classifiers carry their post-hoc corrections inside the graph
 * (training/pfvit/calibration.py folds them into C's last layer): the logits it gives are
 * z' = (z − tau · log prior) / T, where z is what the trained network computes, tau the logit
 * adjustment and T the temperature, both fitted on FERPlus Valid and recorded in model.json
 * (`training.calibration`). The benchmark reports calibration on test before and after the
 * temperature (issue 15), so it undoes the fold from the stored probabilities: softmax is blind to
 * a constant per row, so log p' is z' up to that constant, and
 *   without the temperature: z − tau · log prior = T · z'       → softmax(T · log p')
 *   as trained:              z                   = T · z' + tau · log prior
 * The store keeps probabilities to 6 decimals (store/predictions.ts), so a class below 5e-7 comes back
 * as 0 and stays near 0 here: the ECE, which reads the top class, is unaffected; the NLL of a face
 * whose true class was that unlikely is capped as calibrationReport caps it. Pure: no I/O.
 */
import { softmax } from '@shared/models'

export interface FoldedCalibration {
  tau: number
  temperature: number
  trainPrior: number[]
}

/** The corrections model.json's `training` block records, or null where it records none (a model
 *  someone else trained, or one exported before calibration existed) or records them malformed. */
export function foldedCalibration(training: unknown, classCount: number): FoldedCalibration | null {
  const c = (training as { calibration?: Record<string, unknown> } | null | undefined)?.calibration
  if (!c) return null
  const { tau, temperature, train_prior: prior } = c
  const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)
  if (!finite(tau) || !finite(temperature) || temperature <= 0) return null
  if (!Array.isArray(prior) || prior.length !== classCount || !prior.every((p) => finite(p) && p > 0)) return null
  return { tau, temperature, trainPrior: prior as number[] }
}

const logOf = (p: number): number => Math.log(Math.max(p, 1e-300))

/** The probabilities the model would give with the temperature removed (logit adjustment kept). */
export function withoutTemperature(probabilities: number[], fold: FoldedCalibration): number[] {
  return softmax(probabilities.map((p) => fold.temperature * logOf(p)))
}

/** The probabilities the trained network gives, before both corrections. */
export function asTrained(probabilities: number[], fold: FoldedCalibration): number[] {
  return softmax(probabilities.map((p, k) => fold.temperature * logOf(p) + fold.tau * Math.log(fold.trainPrior[k])))
}
