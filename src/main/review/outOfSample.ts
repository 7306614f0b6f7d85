/**
 * Which of a dataset's images a model trained on, read from its model card (`training.data`, a
 * sentence such as "FERPlus FER2013Train (label.csv votes, majority protocol)"). Label-issue scores
 * are only trustworthy on images the model did not see in training: on those it has memorised,
 * every label looks right. This is deliberately conservative — where the card does not settle it,
 * the answer is "unknown" and the workspace says so rather than guess — unless the researcher has
 * declared the folder out-of-sample (a copy of FER2013 test the card cannot recognise by its folder):
 * they know where their files came from, and the declaration is stored, shown and exported with
 * its date, so the claim stays theirs.
 */
import type { FormatId } from '@shared/formats/types'
import type { Split } from '@shared/splits'

export interface TrainingOverlap {
  /** Splits of this dataset the model trained on; 'none' when it trained on none of its images. */
  inSample: Split[] | 'none' | 'unknown'
  /** One sentence for the researcher. */
  reason: string
}

const FER_FORMATS: readonly (FormatId | null)[] = ['ferplus', 'fer2013']
/** Datasets that hold other images than FER2013's: a model trained on FER2013 never saw them. */
const NON_FER_FORMATS: readonly (FormatId | null)[] = ['rafdb', 'affectnet']

export function trainingOverlap(
  trainingData: unknown,
  format: FormatId | null,
  /** When the researcher declared the folder out-of-sample; null or absent when they did not. */
  declaredOutOfSampleAt: string | null = null
): TrainingOverlap {
  const data = typeof trainingData === 'string' ? trainingData : ''
  if (declaredOutOfSampleAt) {
    return {
      inSample: 'none',
      reason: `Declared out-of-sample (${declaredOutOfSampleAt.slice(0, 10)}): you said the model did not train on this folder's images.`
    }
  }
  if (!data.trim()) return { inSample: 'unknown', reason: 'The model card does not say what the model trained on.' }
  if (/untrained|random init/i.test(data)) {
    return {
      inSample: 'none',
      reason: 'The model is untrained: no image is in its training set (and its scores carry no information).'
    }
  }
  if (/FER2013|FERPlus/i.test(data)) {
    if (NON_FER_FORMATS.includes(format))
      return { inSample: 'none', reason: `The model trained on ${data}; this dataset holds other images.` }
    if (!FER_FORMATS.includes(format)) {
      return {
        inSample: 'unknown',
        reason: `The model trained on ${data}. If this folder holds FER2013 images, their scores may be in-sample.`
      }
    }
    const splits: Split[] = []
    if (/FER2013Train|\bTraining\b/i.test(data)) splits.push('train')
    if (/FER2013Valid|PublicTest/i.test(data)) splits.push('valid')
    if (/FER2013Test|PrivateTest/i.test(data)) splits.push('test')
    if (splits.length === 0) return { inSample: 'unknown', reason: `The model trained on ${data}; which split is not said.` }
    return {
      inSample: splits,
      reason: `The model trained on ${data}: scores on the ${splits.join(' and ')} split are in-sample.`
    }
  }
  return {
    inSample: 'unknown',
    reason: `The model trained on ${data}; whether that includes this dataset's images is not known.`
  }
}

/** true: out-of-sample; false: the model trained on it; null: unknown. */
export function isOutOfSample(overlap: TrainingOverlap, split: Split | null): boolean | null {
  if (overlap.inSample === 'none') return true
  if (overlap.inSample === 'unknown' || split === null) return null
  return !overlap.inSample.includes(split)
}
