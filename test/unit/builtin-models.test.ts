// The models the app ships (resources/models) fit the contract and actually recognise faces: a
// broken export, a truncated file or a model.json out of step with its graphs fails here, on CI,
// before a researcher meets it.
import { readdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { cardAccuracyLine } from '@shared/models'
import { loadModel, releaseModel } from '@main/inference/model'
import { prepareBatch } from '@main/inference/engine'
import { listModels, pickModel } from '@main/inference/registry'
import { openDb } from '@main/store/db'
import { FERPLUS_DIR, HAS_FERPLUS, NO_FERPLUS_REASON, ferplusMajority } from '../helpers/data'

const MODELS = join(__dirname, '..', '..', 'resources', 'models')
const shipped = existsSync(MODELS) ? readdirSync(MODELS).filter((name) => existsSync(join(MODELS, name, 'model.json'))) : []
const FACES = 64
// The default model and its int8 copy. A retrained model gets a new id (stored predictions are keyed
// by image and model id), so this list changes with it, on purpose.
const DEFAULT_MODEL = 'pfvit-ferplus-small-v9'
const SHIPPED = [DEFAULT_MODEL, `${DEFAULT_MODEL}-int8`]
if (!HAS_FERPLUS) console.warn(`[builtin-models] recognition check skipped: ${NO_FERPLUS_REASON}`)

describe.each(shipped)('built-in model %s', (id) => {
  it('fits the model contract and its card states a measured accuracy', async () => {
    const model = await loadModel(join(MODELS, id), { provider: 'cpu', threads: 1 })
    try {
      expect(model.manifest.id).toBe(id)
      expect(model.manifest.classes).toHaveLength(8)
      expect(model.generate).not.toBeNull()
      expect(cardAccuracyLine(model.manifest.metrics)).toMatch(/accuracy on FERPlus test/)
    } finally {
      await releaseModel(model)
    }
  })

  it.skipIf(!HAS_FERPLUS)(`recognises FERPlus test faces far above chance (first ${FACES} labelled)`, async () => {
    const labels = [...ferplusMajority('FER2013Test')].sort(([a], [b]) => a.localeCompare(b)).slice(0, FACES)
    const model = await loadModel(join(MODELS, id), { provider: 'cpu', threads: 1, generate: false })
    try {
      const { input, classes } = model.manifest
      const items = labels.map(([file]) => ({ hash: file, source: join(FERPLUS_DIR, 'FER2013Test', file) }))
      const batch = await prepareBatch(items, input)
      expect(batch.failed).toEqual([])
      const { logits } = await model.classify.run({
        image: new ort.Tensor('float32', batch.tensor, [items.length, 3, input.size, input.size])
      })
      const scores = logits.data as Float32Array
      const correct = labels.filter(([, label], i) => {
        const row = Array.from(scores.subarray(i * 8, (i + 1) * 8))
        return classes[row.indexOf(Math.max(...row))] === label
      }).length
      // The default's card says about 82 % on the whole test set; always answering the largest class scores ~35 %.
      expect(correct / FACES).toBeGreaterThan(0.5)
    } finally {
      await releaseModel(model)
    }
  })
})

it('ships at least one built-in model', () => {
  expect(shipped.length).toBeGreaterThan(0)
})

it(`ships ${DEFAULT_MODEL} as the default, with its int8 copy beside it`, async () => {
  expect([...shipped].sort()).toEqual([...SHIPPED].sort())
  const db = openDb(':memory:')
  try {
    const models = await listModels(db, MODELS)
    // The list opens every graph (issue #18, F14), so "no problems" means both graphs load and fit.
    expect(models.map((m) => ({ id: m.id, problems: m.problems }))).toEqual(SHIPPED.map((id) => ({ id, problems: [] })))
    expect(pickModel(models, undefined).id).toBe(DEFAULT_MODEL)
    // Issue 17: both carry the classifier's [CLS] embedding (training/reexport_onnx.py; logits unchanged).
    expect(models.map((m) => m.embeddingWidth)).toEqual([192, 192])
  } finally {
    db.close()
  }
})
