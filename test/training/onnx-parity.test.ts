// PyTorch vs onnxruntime-node on the exported PF-ViT graphs.
//
// training/export_onnx.py exports a tiny untrained PF-ViT (preset "micro") and writes parity.json:
// a few real FERPlus test faces, already preprocessed (so this test does not re-implement the
// preprocessing), and PyTorch's fp32 outputs. Every output of classify.onnx and generate.onnx must
// match within BOUND. Skips, saying why, when /usr/bin/python3 lacks torch/onnx or the data is absent.
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import * as ort from 'onnxruntime-node'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const PYTHON = '/usr/bin/python3'
const EXPORTER = fileURLToPath(new URL('../../training/export_onnx.py', import.meta.url))
const QUANTISER = fileURLToPath(new URL('../../training/quantize_onnx.py', import.meta.url))
const DATA_DIR = process.env.PF_DATA_DIR ?? fileURLToPath(new URL('../../../shared/data', import.meta.url))
const IMAGES = 4
const BOUND = 1e-4
/** int8 weights and activations: outputs (normalised pixels, logits of a few units) may move this much. */
const INT8_BOUND = 0.1

interface TensorRecord {
  shape: number[]
  data: number[]
}
interface Parity {
  images: string[]
  input: TensorRecord
  outputs: Record<string, Record<string, TensorRecord>>
}

function skipReason(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, onnx'], { encoding: 'utf8' })
  if (probe.error || probe.status !== 0) {
    return `${PYTHON} cannot import torch and onnx (apt-get install -y python3-torch python3-onnx python3-torchvision)`
  }
  if (!existsSync(join(DATA_DIR, 'ferplus'))) return `FERPlus not found at ${join(DATA_DIR, 'ferplus')} (set PF_DATA_DIR)`
  return null
}

function maxAbsDiff(actual: ArrayLike<number>, expected: number[]): number {
  let max = 0
  for (let i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(Number(actual[i]) - expected[i]))
  return max
}

/** A tiny untrained PF-ViT exported with parity.json into a new temporary folder. */
function exportWithParity(extra: string[] = []): { dir: string; parity: Parity } {
  const dir = mkdtempSync(join(process.env.PF_TEST_ROOT ?? tmpdir(), 'pf-onnx-parity-'))
  const args = [EXPORTER, '--random-init', 'pfvit', '--preset', 'micro', '--out', dir,
    '--parity', String(IMAGES), '--data-dir', DATA_DIR, ...extra]
  const run = spawnSync(PYTHON, args, { encoding: 'utf8', timeout: 170_000 })
  if (run.status !== 0) throw new Error(`export_onnx.py failed (${run.status}):\n${run.stderr}`)
  return { dir, parity: JSON.parse(readFileSync(join(dir, 'parity.json'), 'utf8')) as Parity }
}

/** Every output of one graph against PyTorch's, printed; returns the worst max abs difference. */
async function worstDifference(dir: string, parity: Parity, graph: string, label = graph): Promise<number> {
  const session = await ort.InferenceSession.create(join(dir, `${graph}.onnx`))
  const input = new ort.Tensor('float32', Float32Array.from(parity.input.data), parity.input.shape)
  const outputs = await session.run({ image: input })
  const expected = parity.outputs[graph]
  expect(Object.keys(outputs).sort()).toEqual(Object.keys(expected).sort())
  let worst = 0
  for (const [name, record] of Object.entries(expected)) {
    expect(outputs[name].dims).toEqual(record.shape)
    const diff = maxAbsDiff(outputs[name].data as Float32Array, record.data)
    console.log(`[onnx-parity] ${label}/${name} ${JSON.stringify(record.shape)}: max abs diff ${diff.toExponential(2)}`)
    worst = Math.max(worst, diff)
  }
  return worst
}

const reason = skipReason()
if (reason) console.warn(`[onnx-parity] skipped: ${reason}`)

describe.skipIf(reason !== null)('PF-ViT ONNX export matches PyTorch', () => {
  let dir = ''
  let parity: Parity

  beforeAll(() => {
    ;({ dir, parity } = exportWithParity())
  }, 180_000)

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  for (const graph of ['classify', 'generate']) {
    it(`${graph}.onnx outputs match PyTorch within ${BOUND}`, async () => {
      expect(await worstDifference(dir, parity, graph)).toBeLessThan(BOUND)
    })
  }

  it('classify.onnx takes any batch size and model.json describes it', async () => {
    const session = await ort.InferenceSession.create(join(dir, 'classify.onnx'))
    const [, c, h, w] = parity.input.shape
    const one = parity.input.data.slice(0, c * h * w)
    const out = await session.run({ image: new ort.Tensor('float32', Float32Array.from(one), [1, c, h, w]) })
    const logits = parity.outputs.classify.logits
    const k = logits.shape[1]
    expect(out.logits.dims).toEqual([1, k])
    expect(maxAbsDiff(out.logits.data as Float32Array, logits.data.slice(0, k))).toBeLessThan(BOUND)

    const card = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'))
    expect(card.classes).toHaveLength(k)
    expect(card.input).toMatchObject({ size: h, channels: 3, layout: 'NCHW' })
    expect(card.files).toEqual({ classify: 'classify.onnx', generate: 'generate.onnx' })
  })

  it('the int8 copy quantises every weight matrix, keeps the contract and stays close to PyTorch', async () => {
    const out = `${dir}-int8`
    const run = spawnSync(PYTHON, [QUANTISER, '--model', dir, '--out', out, '--min-size', '64'], { encoding: 'utf8' })
    expect(run.status, run.stderr).toBe(0)
    try {
      const card = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'))
      expect(card.id).toMatch(/-int8$/)
      expect(card.quantisation.matmuls_quantised.classify).toBeGreaterThan(0)
      for (const graph of ['classify', 'generate']) {
        expect(statSync(join(out, `${graph}.onnx`)).size).toBeLessThan(statSync(join(dir, `${graph}.onnx`)).size)
        const session = await ort.InferenceSession.create(join(out, `${graph}.onnx`))
        const input = new ort.Tensor('float32', Float32Array.from(parity.input.data), parity.input.shape)
        const outputs = await session.run({ image: input })
        for (const [name, record] of Object.entries(parity.outputs[graph])) {
          expect(outputs[name].dims).toEqual(record.shape)
          const diff = maxAbsDiff(outputs[name].data as Float32Array, record.data)
          console.log(`[onnx-parity] int8 ${graph}/${name}: max abs diff ${diff.toExponential(2)}`)
          expect(diff).toBeLessThan(INT8_BOUND)
        }
      }
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})

describe.skipIf(reason !== null)('a composing generator (keep mask and colour layer) exports exactly', () => {
  it(`generate.onnx outputs match PyTorch within ${BOUND}, bilinear upsampling included`, async () => {
    const { dir, parity } = exportWithParity(['--generator-output', 'composition'])
    try {
      expect(await worstDifference(dir, parity, 'generate', 'composing generate')).toBeLessThan(BOUND)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 180_000)
})

describe.skipIf(reason !== null)('a warping generator (displacement field, grid sampling) exports exactly', () => {
  it(`generate.onnx outputs match PyTorch within ${BOUND}, bicubic upsampling, GridSample and a mouth-only colour layer included`, async () => {
    const { dir, parity } = exportWithParity(['--generator-output', 'composition', '--warp-px', '3', '--paint-region', 'mouth'])
    try {
      expect(await worstDifference(dir, parity, 'generate', 'warping generate')).toBeLessThan(BOUND)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 180_000)
})

describe.skipIf(reason !== null)('an encoder with a convolutional branch exports exactly', () => {
  // MobileFace V3's first stages, and our own residual CNN with its batch norms folded (pfvit/face_stem.py).
  it.each(['mobileface_v3', 'conv_trunk'])(`%s: classify.onnx and generate.onnx match PyTorch within ${BOUND}`, async (stem) => {
    const { dir, parity } = exportWithParity(['--generator-output', 'composition', '--face-stem', stem,
      '--input-size', '32', '--patch-size', '16'])
    try {
      for (const graph of ['classify', 'generate']) {
        expect(await worstDifference(dir, parity, graph, `${stem} ${graph}`)).toBeLessThan(BOUND)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 180_000)
})
