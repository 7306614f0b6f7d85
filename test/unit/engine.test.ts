import { copyFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InferenceEngine, type InferenceItem } from '@main/inference/engine'
import { generatedSheetPath } from '@main/media/sheetLayout'
import { loadModel, releaseModel, type LoadedModel } from '@main/inference/model'
import { attentionMap, boxBlur, emotionMap } from '@main/vision/maps'
import { encodeScanlines } from '@main/vision/pngEncode'
import { decodeInto } from '@main/vision/preprocess'
import { sheetScanlines } from '@main/vision/sheet'
import { FERPLUS_DIR, HAS_FERPLUS, tempDir, writePng } from '../helpers/data'
import { MICRO_MODEL } from '../helpers/models'

const norm = { size: 4, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }

describe('preprocessing', () => {
  it('repeats greyscale over three channels and normalises with the model’s mean and std', async () => {
    const grey = await sharp(Buffer.alloc(16, 255), { raw: { width: 4, height: 4, channels: 1 } })
      .png()
      .toBuffer()
    const out = new Float32Array(3 * 16)
    await decodeInto(grey, norm, out, 0)
    expect([...new Set(out)]).toEqual([2]) // (1 − 0.5) / 0.25
  })

  it('decodes pixels held in memory (FER2013 rows) exactly as the same face stored as a PNG', async () => {
    const pixels = { width: 5, height: 3, data: Uint8Array.from({ length: 15 }, (_, i) => i * 17) }
    const png = await sharp(Buffer.from(pixels.data), { raw: { width: 5, height: 3, channels: 1 } })
      .png()
      .toBuffer()
    const [fromPixels, fromPng] = [new Float32Array(3 * 16), new Float32Array(3 * 16)]
    await decodeInto(pixels, norm, fromPixels, 0)
    await decodeInto(png, norm, fromPng, 0)
    expect(fromPixels).toEqual(fromPng)
  })

  it('applies EXIF orientation before resizing', async () => {
    // 2×1: left black, right white; orientation 6 (rotate 90° clockwise) makes it 1×2, black on top.
    const raw = Buffer.from([0, 0, 0, 255, 255, 255])
    const jpeg = await sharp(raw, { raw: { width: 2, height: 1, channels: 3 } })
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toBuffer()
    const out = new Float32Array(3 * 16)
    await decodeInto(jpeg, { size: 4, mean: [0, 0, 0], std: [1, 1, 1] }, out, 0)
    expect(out[0]).toBeLessThan(0.3) // top row dark
    expect(out[15]).toBeGreaterThan(0.7) // bottom row bright
  })
})

describe('generated faces back to pixels', () => {
  it('inverts the normalisation exactly (to the byte) into each panel of a sheet PNG', async () => {
    const size = 4
    const n = { size, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }
    const rgb = Buffer.from(Array.from({ length: size * size * 3 }, (_, i) => (i * 37) % 256))
    const png = await sharp(rgb, { raw: { width: size, height: size, channels: 3 } })
      .png()
      .toBuffer()
    const face = new Float32Array(3 * size * size)
    await decodeInto(png, n, face, 0)
    const black = new Float32Array(3 * size * size).map(
      (_, i) => -n.mean[Math.floor(i / (size * size))] / n.std[Math.floor(i / (size * size))]
    )
    // Two images in the batch: the second one's panels are [black, face]; the first image (9s) must not leak in.
    const batch = (second: Float32Array) => Float32Array.from([...new Float32Array(3 * size * size).fill(9), ...second])
    const sheet = encodeScanlines(sheetScanlines([batch(black), batch(face)], 3 * size * size, n), 2 * size, size)
    const { data, info } = await sharp(sheet).raw().toBuffer({ resolveWithObject: true })
    expect(info).toMatchObject({ width: 2 * size, height: size, channels: 3 })
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let c = 0; c < 3; c++) {
          expect(data[(y * 2 * size + size + x) * 3 + c]).toBe(rgb[(y * size + x) * 3 + c]) // right panel: the face
          expect(data[(y * 2 * size + x) * 3 + c]).toBe(0) // left panel: black
        }
  })
})

describe('emotion and attention maps', () => {
  it('is zero where the poker face equals the face and grows with the difference', () => {
    const size = 8
    const face = new Uint8Array(3 * size * size).fill(100)
    const poker = new Uint8Array(face)
    expect(Math.max(...emotionMap(face, poker, size))).toBe(0)
    poker.fill(200, (3 * size + 3) * 3, (3 * size + 4) * 3) // one pixel differs
    const map = emotionMap(face, poker, size, 1)
    expect(map[3 * size + 3]).toBeGreaterThan(0)
    expect(map[3 * size + 3]).toBeGreaterThan(map[3 * size + 5])
    expect(map[0]).toBe(0)
  })
  it('blurs without losing mass away from the edges', () => {
    const v = new Float32Array(25)
    v[12] = 9
    expect(boxBlur(v, 5, 1).reduce((a, b) => a + b)).toBeCloseTo(9, 5)
  })
  it('upsamples attention with its maximum at 1', () => {
    const map = attentionMap(Float32Array.from([0, 0, 0, 2]), 0, 2, 8)
    expect(Math.max(...map)).toBeCloseTo(1)
    expect(map[63]).toBeCloseTo(1)
    expect(map[0]).toBeCloseTo(0)
  })
})

describe.skipIf(!HAS_FERPLUS)('inference engine on real faces', () => {
  let model: LoadedModel
  let dir: string
  beforeAll(async () => {
    model = await loadModel(MICRO_MODEL, { provider: 'cpu', threads: 1 })
    dir = await tempDir('pf-engine-')
  })
  afterAll(() => releaseModel(model))

  it('classifies and generates for good images and records a reason for each bad one', async () => {
    const faces = (await readdir(join(FERPLUS_DIR, 'FER2013Test'))).filter((f) => f.endsWith('.png')).slice(0, 5)
    const items: InferenceItem[] = []
    for (const [i, f] of faces.entries()) {
      await copyFile(join(FERPLUS_DIR, 'FER2013Test', f), join(dir, f))
      items.push({ hash: `good${i}`, source: join(dir, f) })
    }
    await writeFile(join(dir, 'empty.png'), '')
    const png = await (await import('node:fs/promises')).readFile(join(dir, faces[0]))
    await writeFile(join(dir, 'truncated.png'), png.subarray(0, 200))
    await writeFile(join(dir, 'text.jpg'), 'hello')
    // A decompression bomb: a valid PNG header claiming 100,000 × 100,000 pixels.
    await writePng(join(dir, 'small.png'))
    const bomb = Buffer.from(await (await import('node:fs/promises')).readFile(join(dir, 'small.png')))
    bomb.writeUInt32BE(100_000, 16)
    bomb.writeUInt32BE(100_000, 20)
    await writeFile(join(dir, 'bomb.png'), bomb)
    items.splice(2, 0, { hash: 'empty', source: join(dir, 'empty.png') }, { hash: 'trunc', source: join(dir, 'truncated.png') })
    items.push(
      { hash: 'text', source: join(dir, 'text.jpg') },
      { hash: 'bomb', source: join(dir, 'bomb.png') },
      { hash: 'gone', source: join(dir, 'missing.png') }
    )

    const engine = new InferenceEngine(model, join(dir, 'cache'))
    const { ran, results } = engine.infer(await engine.prepare(items))
    await ran
    const byHash = new Map((await results).map((r) => [r.hash, r]))
    expect(byHash.size).toBe(items.length)
    for (let i = 0; i < 5; i++) {
      const r = byHash.get(`good${i}`)
      expect(r).toMatchObject({ ok: true, generated: true })
      if (r?.ok) expect(r.probabilities.reduce((a, b) => a + b)).toBeCloseTo(1, 5)
      if (r?.ok) expect(r.attention).toHaveLength(16) // 4 × 4 patch grid
      const meta = await sharp(generatedSheetPath(join(dir, 'cache'), 'pfvit-micro-test', `good${i}`)).metadata()
      expect([meta.width, meta.height, meta.format]).toEqual([3 * 32, 32, 'png']) // reconstruction | poker face | emotion component
    }
    const reason = (hash: string) => {
      const r = byHash.get(hash)
      return r && !r.ok ? r.reason : 'ok'
    }
    expect(reason('empty')).toBe('empty file (0 bytes)')
    expect(reason('trunc')).toMatch(/^corrupt or truncated image \(/)
    expect(reason('text')).toBe('not an image sharp can decode')
    expect(reason('bomb')).toBe('image too large (over the pixel limit that guards against decompression bombs)')
    expect(reason('gone')).toBe('file no longer on disk')
  })

  it('gives the same probabilities for an image whatever batch it is in', async () => {
    const faces = (await readdir(join(FERPLUS_DIR, 'FER2013Test'))).filter((f) => f.endsWith('.png')).slice(0, 4)
    const items = faces.map((f, i) => ({ hash: `b${i}`, source: join(FERPLUS_DIR, 'FER2013Test', f) }))
    const engine = new InferenceEngine({ ...model, generate: null }, join(dir, 'cache2'))
    const batch = await engine.infer(await engine.prepare(items)).results
    const single = await engine.infer(await engine.prepare([items[2]])).results
    const a = batch.find((r) => r.hash === 'b2')
    expect(
      a?.ok &&
        single[0].ok &&
        a.probabilities.map((p, i) => Math.abs(p - (single[0] as typeof a).probabilities[i])).every((d) => d < 1e-5)
    ).toBe(true)
  })
})
