/**
 * The small grey thumbnail a near-duplicate search compares faces by (issue 17): the image shrunk to
 * THUMB_SIDE × THUMB_SIDE by area averaging, one byte a pixel, stored with each content's
 * fingerprint (1 KB). Pure: grey pixels in, bytes out; decoding is ./fingerprint.ts.
 *
 * Why 32 px: FER faces are 48 px, and a 32-px shrink keeps the edges of eyes, brows and mouth that
 * tell one photo from another person's (with it, `npm run bench:duplicates` finds 97.3 % of shifted,
 * cropped, brightened, re-encoded and mirrored FERPlus copies at 99.98 % precision; README,
 * Duplicates), while 1 KB a face keeps 300,000 faces' thumbnails at 300 MB.
 */

export const THUMB_SIDE = 32
/** Bytes of one thumbnail; a dataset's thumbnails travel packed, one after another. */
export const THUMB_BYTES = THUMB_SIDE * THUMB_SIDE

/**
 * Which source pixels each of the THUMB_SIDE targets along an axis of `n` pixels covers, and by how
 * much: target t covers pixels first[t]… with the weights cover[offset[t]] … cover[offset[t + 1] - 1].
 */
function axisCover(n: number): { first: Int32Array; offset: Int32Array; cover: Float64Array } {
  const step = n / THUMB_SIDE
  const first = new Int32Array(THUMB_SIDE)
  const offset = new Int32Array(THUMB_SIDE + 1)
  const cover: number[] = []
  for (let t = 0; t < THUMB_SIDE; t++) {
    const from = t * step
    const to = from + step
    first[t] = Math.floor(from)
    offset[t] = cover.length
    for (let x = Math.floor(from); x < to && x < n; x++) cover.push(Math.min(to, x + 1) - Math.max(from, x))
  }
  offset[THUMB_SIDE] = cover.length
  return { first, offset, cover: Float64Array.from(cover) }
}

/**
 * Shrinks grey pixels (row-major, one byte a pixel) to THUMB_SIDE × THUMB_SIDE by area averaging:
 * every source pixel counts by the share of it each target pixel covers, so any size of face gives
 * the same kind of summary and no sampling phase aliases a shifted copy differently. A face that is
 * not square is stretched to a square, as the model's input is.
 */
export function faceThumbnail(data: Uint8Array, width: number, height: number): Uint8Array {
  const rows = new Float64Array(height * THUMB_SIDE)
  const sx = width / THUMB_SIDE
  const across = axisCover(width)
  for (let y = 0; y < height; y++) {
    for (let t = 0; t < THUMB_SIDE; t++) {
      let sum = 0
      let at = y * width + across.first[t]
      for (let k = across.offset[t]; k < across.offset[t + 1]; k++) sum += across.cover[k] * data[at++]
      rows[y * THUMB_SIDE + t] = sum / sx
    }
  }
  const out = new Uint8Array(THUMB_SIDE * THUMB_SIDE)
  const sy = height / THUMB_SIDE
  const down = axisCover(height)
  for (let t = 0; t < THUMB_SIDE; t++) {
    for (let c = 0; c < THUMB_SIDE; c++) {
      let sum = 0
      let at = down.first[t] * THUMB_SIDE + c
      for (let k = down.offset[t]; k < down.offset[t + 1]; k++, at += THUMB_SIDE) sum += down.cover[k] * rows[at]
      out[t * THUMB_SIDE + c] = Math.round(sum / sy)
    }
  }
  return out
}
