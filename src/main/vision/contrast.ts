/**
 * How much a grey image holds beyond brightness and a ramp of light: the standard deviation of its
 * pixels once the best-fitting plane a + b·x + c·y is taken away. A blank frame, a lens cap or an
 * empty gradient has next to none (noise); a face has the edges of eyes, brows and mouth. Used on
 * the 32-px thumbnails the duplicate search keeps (review/oddness.ts, flatness). Pure.
 */
export function contrastBeyondPlane(square: ArrayLike<number>): number {
  const side = Math.round(Math.sqrt(square.length))
  if (side < 2 || side * side !== square.length) return 0
  const centre = (side - 1) / 2
  // One pass of sums. On a full square grid the centred x and y are uncorrelated with each other
  // and with the constant, so the plane's two slopes are fitted one at a time.
  let sum = 0
  let sumSq = 0
  let sumX = 0
  let sumY = 0
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const v = square[y * side + x]
      sum += v
      sumSq += v * v
      sumX += (x - centre) * v
      sumY += (y - centre) * v
    }
  const n = side * side
  const mean = sum / n
  // Mean of (x − centre)² over the grid: (side² − 1) / 12.
  const spread = (side * side - 1) / 12
  const slopeX = sumX / (n * spread)
  const slopeY = sumY / (n * spread)
  const residual = sumSq / n - mean * mean - (slopeX * slopeX + slopeY * slopeY) * spread
  return Math.sqrt(Math.max(0, residual))
}
