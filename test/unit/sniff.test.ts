import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { sniffImage } from '@main/datasets/sniff'
import { DATA_DIR } from '../helpers/data'

async function png(): Promise<Buffer> {
  return sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
    .png()
    .toBuffer()
}
async function jpeg(): Promise<Buffer> {
  return sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
    .jpeg()
    .toBuffer()
}

describe('sniffImage', () => {
  it('accepts real PNG and JPEG files', async () => {
    expect(sniffImage(await png())).toEqual({ ok: true, format: 'png' })
    expect(sniffImage(await jpeg())).toEqual({ ok: true, format: 'jpeg' })
  })
  it('accepts the real photos shipped in shared data', () => {
    let bytes: Buffer
    try {
      bytes = readFileSync(join(DATA_DIR, 'photos', 'sample1.jpg'))
    } catch {
      return // data absent: covered by the synthetic cases above
    }
    expect(sniffImage(bytes)).toEqual({ ok: true, format: 'jpeg' })
  })
  it('names empty, foreign and truncated files', async () => {
    expect(sniffImage(new Uint8Array())).toEqual({ ok: false, reason: 'empty file (0 bytes)' })
    expect(sniffImage(Buffer.from('hello, I am a text file'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^not an image/)
    })
    const p = await png()
    expect(sniffImage(p.subarray(0, p.length - 20))).toMatchObject({ ok: false, reason: expect.stringMatching(/^truncated PNG/) })
    const j = await jpeg()
    expect(sniffImage(j.subarray(0, j.length - 2))).toMatchObject({ ok: false, reason: expect.stringMatching(/^truncated JPEG/) })
  })
})
