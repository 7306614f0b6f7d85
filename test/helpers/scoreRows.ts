import type { ScoreRow } from '@main/store/review'

/** A score row as a ranking writes it, for this sample and predicted class (the other scores fixed). */
export const scoreRow = ({ sampleId, predictedLabel }: Pick<ScoreRow, 'sampleId' | 'predictedLabel'>): ScoreRow => ({
  sampleId,
  givenLabel: null,
  predictedLabel,
  selfConfidence: 0.5,
  margin: 0.1,
  confidentLabel: null,
  suggestedLabel: null,
  flagged: sampleId % 3 !== 0,
  intensity: null,
  intensityMismatch: null,
  combined: 0.5,
  score: 0.5,
  outOfSample: null
})
