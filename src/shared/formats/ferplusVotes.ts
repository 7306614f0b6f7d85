/**
 * FERPlus: ten annotators tagged each FER2013 face with one of eight emotions, "unknown" or
 * "not a face". These functions turn the ten vote counts into one label exactly as FERPlus's own
 * training code does (`_process_data` in Microsoft's FERPlus repository), so figures measured here
 * compare with the papers'.
 */
import { EMOTIONS, type Emotion, type Label } from '../emotions'
import type { FerplusMode } from './types'

/** The vote columns, in the order of every FERPlus file. */
export const FERPLUS_COLUMNS = [...EMOTIONS, 'unknown', 'NF'] as const
const UNKNOWN = 8
const NOT_A_FACE = 9

export interface VoteReading {
  label: Emotion | null
  /** Why there is no label, in the researcher's words. */
  excluded?: string
}

function removeSingleVotes(votes: readonly number[]): number[] {
  // FERPlus treats a class chosen by a single annotator as an outlier (`< 1 + epsilon` → 0).
  return votes.map((v) => (v < 1 + Number.EPSILON ? 0 : v))
}

function argmax(values: readonly number[]): number {
  let best = 0
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i
  return best
}

function fromIndex(index: number, mode: string): VoteReading {
  if (index === UNKNOWN) return { label: null, excluded: `FERPlus ${mode}: the annotators said unknown` }
  if (index === NOT_A_FACE) return { label: null, excluded: `FERPlus ${mode}: the annotators said not a face` }
  return { label: EMOTIONS[index] }
}

/**
 * The benchmark protocol: drop single votes; keep the image only if one class has strictly more
 * than half of the remaining votes and that class is an emotion.
 */
function majority(votes: readonly number[]): VoteReading {
  const v = removeSingleVotes(votes)
  const sum = v.reduce((a, b) => a + b, 0)
  const best = argmax(v)
  if (!(v[best] > 0.5 * sum)) {
    return { label: null, excluded: 'FERPlus majority: no class has more than half of the votes (single votes removed)' }
  }
  return fromIndex(best, 'majority')
}

/**
 * FERPlus "probability" mode: take the most-voted classes (ties together) until they hold 75 % of
 * the votes, at most three, stopping at unknown/not-a-face; keep the image if they hold more than
 * half. The label is the top class of that distribution.
 */
function probability(votes: readonly number[]): VoteReading {
  const v = removeSingleVotes(votes)
  const sumList = v.reduce((a, b) => a + b, 0)
  const emotion = new Array<number>(v.length).fill(0)
  let sumPart = 0
  let count = 0
  let validEmotion = true
  while (sumPart < 0.75 * sumList && count < 3 && validEmotion) {
    const maxval = Math.max(...v)
    for (let i = 0; i < v.length; i++) {
      if (v[i] !== maxval) continue
      emotion[i] = maxval
      v[i] = 0
      sumPart += emotion[i]
      count++
      if (i >= UNKNOWN) {
        validEmotion = false
        if (emotion.reduce((a, b) => a + b, 0) > maxval) {
          emotion[i] = 0
          count--
        }
        break
      }
    }
  }
  // FERPlus forces such a row to "unknown", which its loader then skips.
  if (emotion.reduce((a, b) => a + b, 0) <= 0.5 * sumList || count > 3) {
    return { label: null, excluded: 'FERPlus probability: the votes are spread too widely (top classes hold half or less)' }
  }
  return fromIndex(argmax(emotion), 'probability')
}

/** The most-voted class as it stands, ties to the earlier class; no outlier removal. */
function plainArgmax(votes: readonly number[]): VoteReading {
  if (votes.every((v) => v === 0)) return { label: null, excluded: 'FERPlus argmax: no votes' }
  return fromIndex(argmax(votes), 'argmax')
}

export function labelFromVotes(votes: readonly number[], mode: FerplusMode = 'majority'): VoteReading {
  if (mode === 'probability') return probability(votes)
  if (mode === 'argmax') return plainArgmax(votes)
  return majority(votes)
}

/**
 * The documented rule for writing a changed label into a vote file: all of the row's votes go to
 * the new class (a row of 10 votes becomes 10 for it), so majority, probability and argmax modes
 * all read the new label, and the row shows plainly that a person overrode the annotators. A
 * removed label puts the votes on "unknown", which every mode reads as no label. The annotators'
 * original votes are not lost: the source export writes them, row by row, to
 * `relabelled-rows.csv` beside the label files (and the provenance export has them as
 * `source_label`). Null when the label is not a FERPlus class.
 */
export function votesForLabel(oldVotes: readonly number[], label: Label | null): number[] | null {
  const index = label === null ? UNKNOWN : (EMOTIONS as readonly string[]).indexOf(label)
  if (index === -1) return null
  const total = oldVotes.reduce((a, b) => a + b, 0) || 10
  const votes = new Array<number>(FERPLUS_COLUMNS.length).fill(0)
  votes[index] = total
  return votes
}
