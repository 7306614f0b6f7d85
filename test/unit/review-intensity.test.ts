import { join } from 'node:path'
import sharp from 'sharp'
import { faceRgbAt } from '@main/vision/preprocess'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InferenceEngine } from '@main/inference/engine'
import { generatedSheetPath, sheetPanel } from '@main/media/sheetLayout'
import { loadModel, releaseModel, type LoadedModel } from '@main/inference/model'
import { FERPLUS_DIR, HAS_FERPLUS, tempDir, writePng } from '../helpers/data'
import { MICRO_MODEL } from '../helpers/models'

/**
 * The intensity the engine stores with each prediction must be what a researcher sees: the mean
 * difference between the face (as the model sees it) and the poker face the run wrote to disk.
 * Checked against the PNG sheet, an independent path (decode + 8-bit rounding) to the same number.
 */
describe('emotion intensity stored by the engine', () => {
  let model: LoadedModel
  beforeAll(async () => {
    model = await loadModel(MICRO_MODEL, { provider: 'cpu', threads: 1 })
  })
  afterAll(async () => model && releaseModel(model))

  it('matches |face − poker face| measured on the written poker face PNG', async () => {
    const dir = await tempDir('pf-intensity-')
    const sources = HAS_FERPLUS
      ? ['fer0028638.png', 'fer0028639.png'].map((f) => join(FERPLUS_DIR, 'FER2013Valid', f))
      : [join(dir, 'a.png'), join(dir, 'b.png')]
    if (!HAS_FERPLUS) await Promise.all(sources.map((s, i) => writePng(s, 60 + 100 * i)))
    const engine = new InferenceEngine(model, join(dir, 'cache'))
    const results = await engine.infer(await engine.prepare(sources.map((source, i) => ({ hash: `h${i}`, source })))).results
    const size = model.manifest.input.size
    for (const [i, r] of results.entries()) {
      if (!r.ok) throw new Error(r.reason)
      expect(r.intensity).not.toBeNull()
      const face = await faceRgbAt(sources[i], size) // the face as the model saw it
      const poker = await sharp(generatedSheetPath(join(dir, 'cache'), model.manifest.id, `h${i}`))
        .extract({ left: sheetPanel('poker_face') * size, top: 0, width: size, height: size })
        .raw()
        .toBuffer()
      let sum = 0
      for (let p = 0; p < size * size * 3; p++) sum += Math.abs(face[p] - poker[p])
      const fromPng = sum / (size * size * 3 * 255)
      expect(fromPng).toBeGreaterThan(0.01) // an untrained generator changes the face a lot
      expect(Math.abs((r.intensity as number) - fromPng)).toBeLessThan(1.5 / 255)
    }
    // Classifying only: no poker face, so no intensity.
    const classifyOnly = new InferenceEngine({ ...model, generate: null }, join(dir, 'cache2'))
    const [plain] = await classifyOnly.infer(await classifyOnly.prepare([{ hash: 'x', source: sources[0] }])).results
    expect(plain.ok && plain.intensity).toBeNull()
  })
})
