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
}

export interface PokerFaceGroupSummary {
  images: number
  neutral_share: number | null
  reconstruction_neutral_share: number | null
  mean_l1_poker_face_to_input: number | null
  mean_l1_reconstruction_to_input: number | null
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

function group(checks: PokerFaceCheck[], neutral: number): PokerFaceGroupSummary {
  const share = (called: (c: PokerFaceCheck) => number) =>
    checks.length ? round6(checks.filter((c) => called(c) === neutral).length / checks.length) : null
  return {
    images: checks.length,
    neutral_share: share((c) => c.pokerFaceClass),
    reconstruction_neutral_share: share((c) => c.reconstructionClass),
    mean_l1_poker_face_to_input: mean(checks.map((c) => c.pokerFaceToInput)),
    mean_l1_reconstruction_to_input: mean(checks.map((c) => c.reconstructionToInput))
  }
}

export function summarisePokerFaces(checks: PokerFaceCheck[], neutral: number): PokerFaceSummary {
  return {
    all: group(checks, neutral),
    expressive: group(
      checks.filter((c) => c.label !== null && c.label !== neutral),
      neutral
    ),
    labelled_neutral: group(
      checks.filter((c) => c.label === neutral),
      neutral
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

/** One panel (column `panel` of width `size`) of an RGB sheet `panels · size` wide, as its own HWC image. */
export function sheetPanelRgb(sheet: ArrayLike<number>, size: number, panels: number, panel: number): Uint8Array {
  const out = new Uint8Array(size * size * 3)
  const rowBytes = size * 3
  for (let y = 0; y < size; y++) {
    const from = (y * size * panels + panel * size) * 3
    for (let x = 0; x < rowBytes; x++) out[y * rowBytes + x] = sheet[from + x]
  }
  return out
}
