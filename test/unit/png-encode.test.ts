import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeSimplePng } from '../../src/main/vision/fastPng'
import { encodeRgbPng, encodeScanlines, noisyShare, upFiltered } from '../../src/main/vision/pngEncode'

describe('PNG encoder for generated-face sheets', () => {
  // A gradient with noise: every filter byte value and carries across pixel boundaries occur.
  const width = 37
  const height = 11
  const rgb = new Uint8Array(width * height * 3).map((_, i) => (i * 7 + ((i * 2654435761) >>> 27)) & 0xff)

  it('writes a PNG that libvips (sharp) decodes to the same bytes', async () => {
    const png = encodeRgbPng(rgb, width, height)
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true })
    expect(info).toMatchObject({ width, height, channels: 3, format: 'raw' })
    expect(Buffer.compare(data, Buffer.from(rgb))).toBe(0)
  })

  it('is read back by the app’s own fast decoder', () => {
    const decoded = decodeSimplePng(encodeRgbPng(rgb, width, height))
    expect(decoded).toMatchObject({ width, height, channels: 3 })
    expect(Buffer.compare(Buffer.from(decoded!.data), Buffer.from(rgb))).toBe(0)
  })

  it('refuses a pixel buffer of the wrong size', () => {
    expect(() => encodeRgbPng(rgb.subarray(1), width, height)).toThrow(/expected 1221 RGB bytes/)
    expect(() => encodeScanlines(Buffer.alloc(10), width, height)).toThrow(/expected 1232 scanline bytes/)
  })

  // 112 × 336 like a sheet: a smooth gradient, and the same with strong pixel noise on top.
  const w = 336
  const h = 112
  const smooth = new Uint8Array(w * h * 3).map((_, i) => 60 + ((i / 3 / w) | 0) + ((i / 3) % w) / 4)
  let seed = 1
  const noise = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24) - 128
  const noisy = smooth.map((v) => Math.max(0, Math.min(255, v + noise())))

  it('tells smooth sheets from noisy ones by their filtered bytes', () => {
    expect(noisyShare(upFiltered(smooth, w, h), w, h)).toBeLessThan(0.05)
    expect(noisyShare(upFiltered(noisy, w, h), w, h)).toBeGreaterThan(0.5)
  })

  it('round-trips both kinds exactly, compresses the smooth one and stores the noisy one', async () => {
    for (const image of [smooth, noisy]) {
      const png = encodeRgbPng(image, w, h)
      const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true })
      expect(Buffer.compare(data, Buffer.from(image))).toBe(0)
    }
    expect(encodeRgbPng(smooth, w, h).length).toBeLessThan(smooth.length / 10)
    // Stored: the scanlines (filter byte per row) plus PNG and deflate framing, nothing gained or spent.
    const stored = encodeRgbPng(noisy, w, h).length
    expect(stored).toBeGreaterThan(noisy.length + h)
    expect(stored).toBeLessThan(noisy.length * 1.01)
  })
})
