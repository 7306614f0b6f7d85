import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { parseManifest } from '@shared/models'
import { decodeInto, toGrey } from '@main/vision/preprocess'

const manifest = (input: Record<string, unknown>) => ({
  id: 'm',
  name: 'm',
  version: '1',
  classes: ['neutral', 'happiness'],
  input: { size: 8, channels: 3, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], ...input },
  files: { classify: 'classify.onnx', generate: null }
})

describe('models taught on grey faces (model.json input.grayscale)', () => {
  it('is read from model.json, and anything but true or false is refused', () => {
    expect(parseManifest(manifest({ grayscale: true })).manifest?.input.grayscale).toBe(true)
    expect(parseManifest(manifest({})).manifest?.input.grayscale).toBeUndefined()
    expect(parseManifest(manifest({ grayscale: 'yes' })).problems).toEqual([
      'model.json: "input.grayscale" must be true or false (found "yes")'
    ])
  })

  it('turns colour into Rec. 601 luma, as PIL does for the training images', () => {
    const grey = toGrey({ width: 2, height: 1, channels: 3, data: new Uint8Array([255, 0, 0, 10, 200, 30]) })
    expect(Array.from(grey.data)).toEqual([76, 124]) // 0.299·255; 0.299·10 + 0.587·200 + 0.114·30
    expect(grey.channels).toBe(1)
  })

  it('feeds a colour face to such a model exactly as its grey version', async () => {
    const rgb = Buffer.alloc(8 * 8 * 3)
    for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37) % 256
    const colour = await sharp(rgb, { raw: { width: 8, height: 8, channels: 3 } })
      .png()
      .toBuffer()
    const grey = toGrey({ width: 8, height: 8, channels: 3, data: new Uint8Array(rgb) })
    const greyPng = await sharp(Buffer.from(grey.data), { raw: { width: 8, height: 8, channels: 1 } })
      .png()
      .toBuffer()
    const norm = { size: 8, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }
    const [a, b, c] = [new Float32Array(192), new Float32Array(192), new Float32Array(192)]
    await decodeInto(new Uint8Array(colour), { ...norm, grayscale: true }, a, 0)
    await decodeInto(new Uint8Array(greyPng), norm, b, 0)
    await decodeInto(new Uint8Array(colour), norm, c, 0)
    expect(Array.from(a)).toEqual(Array.from(b))
    expect(Array.from(a)).not.toEqual(Array.from(c)) // without the flag, colour stays colour
  })
})
