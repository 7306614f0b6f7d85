/**
 * The embedding map's fallback layout (issue 17): the first two principal components. Pure, plain
 * arrays. The covariance is estimated on at most `SAMPLE` rows (evenly spaced): two directions are
 * stable long before every row of a million has been read, and every row is then projected.
 */
const SAMPLE = 20_000
const ITERATIONS = 100

/** Top eigenvector of a symmetric d × d matrix by power iteration, orthogonal to `against`. */
function topEigenvector(cov: Float64Array, d: number, against: Float64Array | null): Float64Array {
  let v = Float64Array.from({ length: d }, (_, i) => 1 + ((i * 7919) % 13) / 13) // fixed start: same map every time
  for (let it = 0; it < ITERATIONS; it++) {
    if (against) {
      let dot = 0
      for (let i = 0; i < d; i++) dot += v[i] * against[i]
      for (let i = 0; i < d; i++) v[i] -= dot * against[i]
    }
    const next = new Float64Array(d)
    for (let i = 0; i < d; i++) {
      let s = 0
      for (let j = 0; j < d; j++) s += cov[i * d + j] * v[j]
      next[i] = s
    }
    let norm = 0
    for (let i = 0; i < d; i++) norm += next[i] * next[i]
    norm = Math.sqrt(norm)
    if (norm === 0) return v
    for (let i = 0; i < d; i++) next[i] /= norm
    v = next
  }
  return v
}

/** n rows of d values → x, y per row, each axis scaled to [-1, 1]. */
export function pca2d(vectors: Float32Array, d: number): Float32Array {
  const n = d === 0 ? 0 : vectors.length / d
  const out = new Float32Array(n * 2)
  if (n === 0) return out
  const mean = new Float64Array(d)
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += vectors[i * d + j] / n
  const step = Math.max(1, Math.floor(n / SAMPLE))
  const cov = new Float64Array(d * d)
  const row = new Float64Array(d)
  for (let i = 0; i < n; i += step) {
    for (let j = 0; j < d; j++) row[j] = vectors[i * d + j] - mean[j]
    for (let a = 0; a < d; a++) {
      const ra = row[a]
      if (ra === 0) continue
      for (let b = a; b < d; b++) cov[a * d + b] += ra * row[b]
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[a * d + b] = cov[b * d + a]
  const first = topEigenvector(cov, d, null)
  const second = topEigenvector(cov, d, first)
  for (let i = 0; i < n; i++) {
    let x = 0
    let y = 0
    for (let j = 0; j < d; j++) {
      const c = vectors[i * d + j] - mean[j]
      x += c * first[j]
      y += c * second[j]
    }
    out[2 * i] = x
    out[2 * i + 1] = y
  }
  for (let axis = 0; axis < 2; axis++) {
    let max = 0
    for (let i = axis; i < out.length; i += 2) max = Math.max(max, Math.abs(out[i]))
    if (max > 0) for (let i = axis; i < out.length; i += 2) out[i] /= max
  }
  return out
}
