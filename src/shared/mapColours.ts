/**
 * The embedding map's colour data (issue 17): one byte per face per colouring, in the map's order,
 * so 35k faces cost 140 kB and a million 4 MB — the same compact form as the map's coordinates.
 * Pure, used by main to pack and by the renderer to unpack.
 */

/** The code of "none": unlabelled, not predicted, not scored, not in a split. */
export const NO_CODE = 255
/** Issue scores in [0, 1] are stored as 0..SCORE_STEPS. */
export const SCORE_STEPS = 254

export interface MapColours {
  /** The names label and prediction codes index (at most 255). */
  classes: string[]
  /** The names split codes index. */
  splits: string[]
  /** Base64, one uint8 per face: its current label's index in `classes`, or NO_CODE. */
  label: string
  /** Base64, one uint8 per face: the class the ranked model predicts, or NO_CODE. */
  prediction: string
  /** Base64, one uint8 per face: the issue score ("most likely wrong", 0..1) × SCORE_STEPS, or NO_CODE. */
  issueScore: string
  /** Base64, one uint8 per face: its split's index in `splits`, or NO_CODE. */
  split: string
}

export type MapColouring = 'label' | 'prediction' | 'issueScore' | 'split'

/** One face as the packer reads it. */
export interface FaceColourFacts {
  label: string | null
  prediction: string | null
  issueScore: number | null
  split: string | null
}

/** Codes for one colouring; names beyond 255 share NO_CODE (no FER dataset has that many classes). */
function codes(values: (string | null)[], names: string[]): Uint8Array {
  const index = new Map(names.slice(0, NO_CODE).map((n, i) => [n, i]))
  return Uint8Array.from(values, (v) => (v === null ? NO_CODE : (index.get(v) ?? NO_CODE)))
}

/** Packs the facts of the map's faces (in map order; undefined: a face no longer in the dataset). */
export function packMapColours(
  faces: (FaceColourFacts | undefined)[],
  classes: string[],
  splits: string[],
  toBase64: (bytes: Uint8Array) => string
): MapColours {
  const pick = <K extends keyof FaceColourFacts>(k: K): (FaceColourFacts[K] | null)[] => faces.map((f) => (f ? f[k] : null))
  const score = Uint8Array.from(pick('issueScore'), (s) =>
    s === null || !Number.isFinite(s) ? NO_CODE : Math.round(Math.min(1, Math.max(0, s)) * SCORE_STEPS)
  )
  return {
    classes,
    splits,
    label: toBase64(codes(pick('label'), classes)),
    prediction: toBase64(codes(pick('prediction'), classes)),
    issueScore: toBase64(score),
    split: toBase64(codes(pick('split'), splits))
  }
}
