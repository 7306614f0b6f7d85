import { resizeBilinear } from './fastPng'

/**
 * The emotion map: where the face differs from its poker face. Per pixel, the mean absolute
 * difference over the three channels in pixel units (0..1), box-smoothed so it shows regions
 * (brows, mouth corners) rather than single pixels, and scaled by a fixed range so maps of
 * different faces can be compared: EMOTION_MAP_FULL_SCALE of difference is full heat.
 * Inputs are RGB bytes (HWC) of the face at the model's input size and of its poker face.
 */
export const EMOTION_MAP_FULL_SCALE = 0.25

export function emotionMap(
  face: Uint8Array,
  pokerFace: Uint8Array,
  size: number,
  radius = Math.max(1, Math.round(size / 56))
): Float32Array {
  const plane = size * size
  const diff = new Float32Array(plane)
  for (let p = 0; p < plane; p++) {
    let sum = 0
    for (let c = 0; c < 3; c++) sum += Math.abs(face[p * 3 + c] - pokerFace[p * 3 + c])
    diff[p] = sum / (3 * 255)
  }
  const smooth = boxBlur(diff, size, radius)
  for (let p = 0; p < plane; p++) smooth[p] = Math.min(1, smooth[p] / EMOTION_MAP_FULL_SCALE)
  return smooth
}

/** Separable box blur with edge clamping. */
export function boxBlur(values: Float32Array, size: number, radius: number): Float32Array {
  const pass = (src: Float32Array, horizontal: boolean): Float32Array => {
    const dst = new Float32Array(src.length)
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let sum = 0
        for (let k = -radius; k <= radius; k++) {
          const xx = horizontal ? Math.min(size - 1, Math.max(0, x + k)) : x
          const yy = horizontal ? y : Math.min(size - 1, Math.max(0, y + k))
          sum += src[yy * size + xx]
        }
        dst[y * size + x] = sum / (2 * radius + 1)
      }
    }
    return dst
  }
  return pass(pass(values, true), false)
}

/** Bilinear upsampling of a g × g attention grid to size × size, scaled so its maximum is 1. */
export function attentionMap(grid: Float32Array, offset: number, g: number, size: number): Float32Array {
  const cells = grid.subarray(offset, offset + g * g)
  const out = resizeBilinear({ width: g, height: g, channels: 1, data: cells }, size)
  let max = 0
  for (let i = 0; i < cells.length; i++) max = Math.max(max, cells[i])
  const scale = max > 0 ? 1 / max : 0
  for (let i = 0; i < out.length; i++) out[i] *= scale
  return out
}
