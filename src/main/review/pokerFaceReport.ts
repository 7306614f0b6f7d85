import type { RegionShares } from '../evaluation/pokerFaceMeasures'

/**
 * Are PF-ViT's poker faces neutral, and still the same person? Two numbers answer it:
 * - how often the model's own classifier calls a poker face "neutral" (on faces labelled with an
 *   expression, that is the generator's job done; on faces labelled neutral it should stay neutral),
 *   beside how often it calls the plain reconstruction neutral: a blurry generator makes faces
 *   look neutral by itself, and only the difference between the two is the poker face's doing;
 * - how far a poker face is from its input (mean |poker face − input|, pixel units 0..1) against
 *   how far the plain reconstruction is. A poker face about as close as the reconstruction kept
 *   the person; one much farther drew someone else, or a blur.
 */
export interface PokerFaceCheck {
  /** The dataset's label as a model class index, or null for unlabelled faces. */
  label: number | null
  /** The classifier's class for the poker face, and for the reconstruction (the control). */
  pokerFaceClass: number
  reconstructionClass: number
  pokerFaceToInput: number
  reconstructionToInput: number
  /** What the independent judges said (evaluation/judges.ts), where they ran. */
  judged?: JudgedPokerFace
}

export interface JudgedPokerFace {
  /** Whether the expression judge calls the input, the poker face and the reconstruction neutral. */
  inputNeutral: boolean
  pokerFaceNeutral: boolean
  reconstructionNeutral: boolean
  /** Identity cosine between the input and its poker face, and its reconstruction (the control). */
  pokerFaceIdentity: number
  reconstructionIdentity: number
  /** Share of the emotion map |input − poker face| inside the eye/brow and mouth boxes. */
  emotionMap: RegionShares | null
}

export interface JudgedGroupSummary {
  judge_calls_input_neutral: number | null
  judge_calls_poker_face_neutral: number | null
  judge_calls_reconstruction_neutral: number | null
  mean_identity_cosine_poker_face: number | null
  mean_identity_cosine_reconstruction: number | null
  /** Share of poker faces whose identity cosine to the input is above the same-person threshold. */
  poker_faces_same_person: number | null
  emotion_map_share_eyes_and_brows: number | null
  emotion_map_share_mouth: number | null
}

export interface PokerFaceGroupSummary {
  images: number
  neutral_share: number | null
  reconstruction_neutral_share: number | null
  mean_l1_poker_face_to_input: number | null
  mean_l1_reconstruction_to_input: number | null
  judged?: JudgedGroupSummary
}

export interface PokerFaceSummary {
  all: PokerFaceGroupSummary
  /** Faces labelled with an expression: where neutralising is needed. */
  expressive: PokerFaceGroupSummary
  /** Faces labelled neutral: the poker face should be the face itself. */
  labelled_neutral: PokerFaceGroupSummary
  pixel_units: string
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6
const mean = (xs: number[]): number | null => (xs.length ? round6(xs.reduce((a, b) => a + b, 0) / xs.length) : null)

function judgedGroup(checks: JudgedPokerFace[], threshold: number | null): JudgedGroupSummary {
  const share = (test: (j: JudgedPokerFace) => boolean) =>
    checks.length ? round6(checks.filter(test).length / checks.length) : null
  const maps = checks.map((j) => j.emotionMap).filter((m): m is RegionShares => m !== null)
  return {
    judge_calls_input_neutral: share((j) => j.inputNeutral),
    judge_calls_poker_face_neutral: share((j) => j.pokerFaceNeutral),
    judge_calls_reconstruction_neutral: share((j) => j.reconstructionNeutral),
    mean_identity_cosine_poker_face: mean(checks.map((j) => j.pokerFaceIdentity)),
    mean_identity_cosine_reconstruction: mean(checks.map((j) => j.reconstructionIdentity)),
    poker_faces_same_person: threshold === null ? null : share((j) => j.pokerFaceIdentity > threshold),
    emotion_map_share_eyes_and_brows: mean(maps.map((m) => m.eyes_and_brows)),
    emotion_map_share_mouth: mean(maps.map((m) => m.mouth))
  }
}

function group(checks: PokerFaceCheck[], neutral: number, threshold: number | null): PokerFaceGroupSummary {
  const share = (called: (c: PokerFaceCheck) => number) =>
    checks.length ? round6(checks.filter((c) => called(c) === neutral).length / checks.length) : null
  const judged = checks.map((c) => c.judged).filter((j): j is JudgedPokerFace => j !== undefined)
  return {
    images: checks.length,
    neutral_share: share((c) => c.pokerFaceClass),
    reconstruction_neutral_share: share((c) => c.reconstructionClass),
    mean_l1_poker_face_to_input: mean(checks.map((c) => c.pokerFaceToInput)),
    mean_l1_reconstruction_to_input: mean(checks.map((c) => c.reconstructionToInput)),
    ...(judged.length ? { judged: judgedGroup(judged, threshold) } : {})
  }
}

/**
 * `samePersonThreshold`: the identity cosine above which two faces count as one person (derived by
 * the caller from pairs of different people; null when the judges did not run).
 */
export function summarisePokerFaces(
  checks: PokerFaceCheck[],
  neutral: number,
  samePersonThreshold: number | null = null
): PokerFaceSummary {
  return {
    all: group(checks, neutral, samePersonThreshold),
    expressive: group(
      checks.filter((c) => c.label !== null && c.label !== neutral),
      neutral,
      samePersonThreshold
    ),
    labelled_neutral: group(
      checks.filter((c) => c.label === neutral),
      neutral,
      samePersonThreshold
    ),
    pixel_units: 'mean absolute difference over RGB pixels scaled to 0..1, at the model input size'
  }
}

/** Mean |a − b| of two equally long byte images, in pixel units (0..1). */
export function meanAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) throw new Error(`images differ in size (${a.length} vs ${b.length} values)`)
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i])
  return sum / (255 * a.length)
}
