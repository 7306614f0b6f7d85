import { FILTER_UP } from './pngEncode'
import type { Normalisation } from './preprocess'

/**
 * The PNG scanlines of one image's sheet of generated faces — panels side by side, each the
 * inverse of the input normalisation as RGB bytes — already Up-filtered for `encodeScanlines`.
 *
 * One pass, row by row: the panels' planar floats go into a one-row buffer (Uint8ClampedArray
 * rounds and clamps in the store itself), and that row minus the row above goes straight into the
 * scanlines. This runs for every generated face on the cores onnxruntime needs; writing a whole
 * RGB sheet first and filtering it in a second pass cost about twice as much.
 */
export function sheetScanlines(panels: readonly Float32Array[], offset: number, norm: Normalisation): Buffer {
  const size = norm.size
  const plane = size * size
  const stride = size * panels.length * 3
  const out = Buffer.alloc((stride + 1) * size)
  let row = new Uint8ClampedArray(stride)
  let above = new Uint8ClampedArray(stride) // zeros: the first row is filtered against nothing
  for (let y = 0; y < size; y++) {
    for (let p = 0; p < panels.length; p++) {
      const tensor = panels[p]
      for (let c = 0; c < 3; c++) {
        const scale = norm.std[c] * 255
        const shift = norm.mean[c] * 255
        const from = offset + c * plane + y * size
        for (let x = 0, at = p * size * 3 + c; x < size; x++, at += 3) row[at] = tensor[from + x] * scale + shift
      }
    }
    const o = y * (stride + 1)
    out[o] = FILTER_UP
    for (let x = 0; x < stride; x++) out[o + 1 + x] = row[x] - above[x]
    ;[row, above] = [above, row]
  }
  return out
}
