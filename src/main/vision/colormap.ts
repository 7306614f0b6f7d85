/**
 * Turbo colour map (Google, Apache-2.0), as a polynomial fit: perceptually ordered, and readable
 * as a heat map over a grey face. t in [0, 1] → [r, g, b] in 0..255.
 */
export function turbo(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t))
  const r = 0.1357 + x * (4.5974 - x * (42.3277 - x * (130.5887 - x * (150.5666 - x * 58.1375))))
  const g = 0.0914 + x * (2.1856 + x * (4.8052 - x * (14.0195 - x * (4.2109 + x * 2.7747))))
  const b = 0.1067 + x * (12.5925 - x * (60.1097 - x * (109.0745 - x * (88.5066 - x * 26.8183))))
  const byte = (v: number): number => Math.round(Math.min(1, Math.max(0, v)) * 255)
  return [byte(r), byte(g), byte(b)]
}

/**
 * Colours a map of values in [0, 1] as RGBA: hue from the colour map, opacity rising with the
 * value so low-emotion regions leave the face visible underneath.
 */
export function heatmapRgba(values: Float32Array): Buffer {
  const out = Buffer.alloc(values.length * 4)
  for (let i = 0; i < values.length; i++) {
    const [r, g, b] = turbo(values[i])
    out[i * 4] = r
    out[i * 4 + 1] = g
    out[i * 4 + 2] = b
    out[i * 4 + 3] = Math.round(Math.min(1, values[i] * 1.5) * 255)
  }
  return out
}
