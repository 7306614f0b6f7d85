import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeSimplePng } from '../../src/main/vision/fastPng'
import { encodeRgbPng } from '../../src/main/vision/pngEncode'

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
    const decoded = decodeSimplePng(encodeRgbPng(rgb, width, height, 6))
    expect(decoded).toMatchObject({ width, height, channels: 3 })
    expect(Buffer.compare(Buffer.from(decoded!.data), Buffer.from(rgb))).toBe(0)
  })

  it('refuses a pixel buffer of the wrong size', () => {
    expect(() => encodeRgbPng(rgb.subarray(1), width, height)).toThrow(/expected 1221 RGB bytes/)
  })
})
