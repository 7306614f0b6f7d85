/**
 * Expression intensity as PF-ViT's generator sees it: how far a face is from its own poker face.
 * Both tensors are in the model's normalised input space (NCHW, one image = 3·size² floats); the
 * difference is taken in pixel units (0..1) after undoing the normalisation and clamping to the
 * displayable range, so it matches what the emotion map draws. 0 = the generator left the face as
 * it was (nothing to neutralise); larger = more expression removed.
 */
export interface IntensityNormalisation {
  size: number
  mean: readonly number[]
  std: readonly number[]
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v)

export function emotionIntensity(
  input: ArrayLike<number>,
  pokerFace: ArrayLike<number>,
  offset: number,
  norm: IntensityNormalisation
): number {
  const plane = norm.size * norm.size
  let sum = 0
  for (let c = 0; c < 3; c++) {
    const std = norm.std[c]
    const mean = norm.mean[c]
    const base = offset + c * plane
    for (let p = 0; p < plane; p++) {
      sum += Math.abs(clamp01(input[base + p] * std + mean) - clamp01(pokerFace[base + p] * std + mean))
    }
  }
  return sum / (3 * plane)
}
