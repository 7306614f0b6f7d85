import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeSimplePng, resizeBilinear } from '@main/vision/fastPng'
import { FERPLUS_DIR, HAS_FERPLUS } from '../helpers/data'

const PYTHON = '/usr/bin/python3'
const HAS_PIL = spawnSync(PYTHON, ['-c', 'import PIL, numpy'], { encoding: 'utf8' }).status === 0
if (!HAS_PIL)
  console.warn(
    `[fast-png] PIL comparison skipped: ${PYTHON} cannot import PIL and numpy (apt-get install -y python3-torchvision)`
  )

/** Grey repeated over three channels where sharp returns RGB for a grey PNG. */
function expand(data: ArrayLike<number>, from: number, to: number): Buffer {
  if (from === to) return Buffer.from(Float32Array.from(data).map(Math.round))
  const out = Buffer.alloc((data.length / from) * to)
  for (let p = 0; p < data.length / from; p++) for (let k = 0; k < to; k++) out[p * to + k] = Math.round(data[p * from])
  return out
}

describe('fast PNG path', () => {
  it('decodes every filter type and colour type exactly as sharp does', async () => {
    // Noise images make libpng use every filter; each colour type is written by sharp itself.
    for (const channels of [1, 2, 3, 4] as const) {
      const raw = Buffer.from(Array.from({ length: 37 * 23 * channels }, (_, i) => (i * 7919) % 251))
      const png = await sharp(raw, { raw: { width: 37, height: 23, channels } })
        .toColourspace(channels <= 2 ? 'b-w' : 'srgb')
        .png({ adaptiveFiltering: true })
        .toBuffer()
      const ours = decodeSimplePng(png)
      const theirs = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true })
      expect(ours, `channels ${channels}`).not.toBeNull()
      expect([ours!.width, ours!.height]).toEqual([37, 23])
      expect(expand(ours!.data, ours!.channels, theirs.info.channels).equals(theirs.data)).toBe(true)
    }
  })

  it('leaves to sharp what it does not handle', async () => {
    const png16 = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } })
      .png()
      .toColourspace('rgb16')
      .toBuffer()
    expect(decodeSimplePng(png16)).toBeNull()
    const palette = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } })
      .png({ palette: true })
      .toBuffer()
    expect(decodeSimplePng(palette)).toBeNull()
    expect(decodeSimplePng(Buffer.from('not a png'))).toBeNull()
    const good = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
      .png()
      .toBuffer()
    expect(decodeSimplePng(good.subarray(0, good.length - 30))).toBeNull() // truncated
  })

  it('enlarges with half-pixel centres, as PIL and PyTorch do', () => {
    const out = resizeBilinear({ width: 4, height: 1, channels: 1, data: Uint8Array.from([0, 100, 200, 250]) }, 8)
    // 8 samples over 4 pixels: centres at -0.25, 0.25, 0.75, 1.25, … (clamped at the edges)
    expect(Array.from(out.subarray(0, 8))).toEqual([0, 25, 75, 125, 175, 212.5, 237.5, 250])
  })

  it.skipIf(!HAS_FERPLUS || !HAS_PIL)('matches the training code’s PIL bilinear resize on real FERPlus faces', async () => {
    const dir = join(FERPLUS_DIR, 'FER2013Test')
    const names = readdirSync(dir)
      .filter((n) => n.endsWith('.png'))
      .sort()
      .slice(0, 30)
    const script = `import sys, numpy as np\nfrom PIL import Image\nfor f in sys.argv[1:]:\n    sys.stdout.buffer.write(np.asarray(Image.open(f).convert('RGB').resize((112, 112), Image.BILINEAR)).tobytes())`
    const pil = spawnSync(PYTHON, ['-c', script, ...names.map((n) => join(dir, n))], { maxBuffer: 1 << 26 }).stdout
    let worst = 0
    for (const [k, n] of names.entries()) {
      const image = decodeSimplePng(readFileSync(join(dir, n)))!
      const ours = resizeBilinear(image, 112)
      for (let p = 0; p < 112 * 112; p++)
        worst = Math.max(worst, Math.abs(ours[p * image.channels] - pil[(k * 112 * 112 + p) * 3]))
    }
    console.log(`[fast-png] max |ours − PIL| over ${names.length} faces at 112 px: ${worst.toFixed(2)} (of 255)`)
    expect(worst).toBeLessThan(1) // PIL rounds to bytes; we keep floats
  })
})
