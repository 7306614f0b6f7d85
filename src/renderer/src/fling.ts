/**
 * When the grid moves too fast for its thumbnails to be seen, it stops loading them (issue 19).
 *
 * A fling through a 1M-face grid brings ~3 new rows of thumbnails into view every frame; fetching,
 * decoding and rastering them took frames of 83–183 ms in Chromium (`npm run bench:scale`, 400 px
 * a frame), where a steady 40 px a frame stays under 35 ms. At that speed nobody sees a face, so
 * tiles that come into view during a fling show their labels and marks at once and their
 * thumbnails once the grid slows down or stops (photo viewers do the same).
 */

/**
 * Faster than this the grid is flinging (px per second). A steady read of the grid (40 px a frame,
 * 2,400 px/s) and holding an arrow key (a row of 124 px ~30 times a second, ~3,700 px/s) stay
 * below it; a fling of 400 px a frame (24,000 px/s) or a dragged scrollbar is far above.
 */
export const FLING_PX_PER_SECOND = 6000

/** A pause this long after the last scroll event ends a fling; a move after such a pause is a jump. */
export const SETTLE_MS = 150

/**
 * Whether one scroll event, `deltaPx` since the previous one `deltaMs` earlier, is part of a fling.
 * The first move after a pause is a jump (a restored view, Home, a click on the scrollbar's track),
 * shown at once with its thumbnails however far it goes.
 */
export function isFling(deltaPx: number, deltaMs: number): boolean {
  if (deltaMs >= SETTLE_MS) return false
  // Two events in one frame would look infinitely fast: no frame is shorter than ~8 ms (120 Hz).
  return (Math.abs(deltaPx) / Math.max(deltaMs, 8)) * 1000 > FLING_PX_PER_SECOND
}
