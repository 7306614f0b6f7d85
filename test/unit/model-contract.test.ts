import { rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  cardAccuracyLine,
  checkClassifyGraph,
  checkGenerateGraph,
  embeddingWidth,
  parseManifest,
  softmax,
  type ModelManifest
} from '@shared/models'
import { loadModel, ModelContractError, onnxruntimeBinDir, releaseModel } from '@main/inference/model'
import { providerCandidates, providerLibrary } from '@main/inference/providers'
import { brokenModelCopy, MICRO_MODEL } from '../helpers/models'

const manifest: ModelManifest = {
  id: 'm',
  name: 'M',
  version: '1',
  classes: ['a', 'b', 'c'],
  input: { size: 112, channels: 3, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], layout: 'NCHW' },
  files: { classify: 'classify.onnx', generate: 'generate.onnx' }
}
const image = { name: 'image', type: 'float32', shape: ['N', 3, 112, 112] }

async function contractProblems(folder: string): Promise<string[]> {
  try {
    await releaseModel(await loadModel(folder, { provider: 'cpu', threads: 1 }))
    return []
  } catch (err) {
    expect(err).toBeInstanceOf(ModelContractError)
    return (err as ModelContractError).problems
  }
}

describe('model contract (pure checks)', () => {
  it('lists every problem in a model.json, not only the first', () => {
    const { manifest: m, problems } = parseManifest({
      id: 'bad id!',
      classes: ['x'],
      input: { size: 3, channels: 1, mean: [0], std: [1, 1, 0] },
      files: {}
    })
    expect(m).toBeNull()
    expect(problems).toEqual([
      'model.json: "name" must be a non-empty string',
      'model.json: "version" must be a non-empty string',
      'model.json: "id" may hold only letters, digits, ".", "_" and "-", and must start and end with a letter or digit',
      'model.json: "classes" must list at least two class names',
      'model.json: "input.size" must be an integer ≥ 8',
      'model.json: "input.channels" must be 3 (found 1)',
      'model.json: "input.mean" must be three numbers',
      'model.json: "input.std" must be three positive numbers',
      'model.json: "files.classify" must name the classifier ONNX file'
    ])
  })

  it('checks graph names, types, shapes and class count', () => {
    expect(
      checkClassifyGraph(
        manifest,
        [image],
        [
          { name: 'logits', type: 'float32', shape: ['N', 3] },
          { name: 'emotion_mask', type: 'float32', shape: ['N', 192] },
          { name: 'attention', type: 'float32', shape: ['N', 7, 7] }
        ]
      )
    ).toEqual([])
    expect(
      checkClassifyGraph(
        manifest,
        [{ name: 'input', type: 'float32', shape: ['N', 3, 112, 112] }],
        [
          { name: 'logits', type: 'float32', shape: ['N', 8] },
          { name: 'attention', type: 'float16', shape: ['N', 7, 6] }
        ]
      )
    ).toEqual([
      'classify.onnx: no input named "image" (inputs: input)',
      'classify.onnx: output "logits": shape [N,8], expected [N,3]',
      'classify.onnx: missing output "emotion_mask" (outputs: logits, attention)',
      'classify.onnx: output "attention" is float16, expected float32',
      'classify.onnx: output "attention" must be a square patch grid, got [N,7,6]',
      'classify.onnx: the model has 8 classes but model.json lists 3'
    ])
    expect(
      checkGenerateGraph(
        manifest,
        [{ ...image, shape: ['N', 3, 224, 224] }],
        [{ name: 'poker_face', type: 'float32', shape: ['N', 3, 112, 112] }]
      )
    ).toEqual([
      'generate.onnx: input "image": shape [N,3,224,224], expected [N,3,112,112]',
      'generate.onnx: missing output "reconstruction" (outputs: poker_face)',
      'generate.onnx: missing output "emotion_component" (outputs: poker_face)'
    ])
  })

  it('accepts a classifier with or without the optional embedding, and says what is wrong with a mis-shaped one', () => {
    const base = [
      { name: 'logits', type: 'float32', shape: ['N', 3] },
      { name: 'emotion_mask', type: 'float32', shape: ['N', 192] },
      { name: 'attention', type: 'float32', shape: ['N', 7, 7] }
    ]
    const withEmbedding = (shape: (number | string)[], type = 'float32') => [...base, { name: 'embedding', type, shape }]
    expect(checkClassifyGraph(manifest, [image], base)).toEqual([])
    expect(checkClassifyGraph(manifest, [image], withEmbedding(['N', 192]))).toEqual([])
    const why = '(the optional embedding must be float32 [N,D] with a fixed width D, or be left out)'
    expect(checkClassifyGraph(manifest, [image], withEmbedding(['N', 4, 48]))).toEqual([
      `classify.onnx: output "embedding" has shape [N,4,48] ${why}`
    ])
    expect(checkClassifyGraph(manifest, [image], withEmbedding(['N', 'D'], 'float16'))).toEqual([
      `classify.onnx: output "embedding" is float16 ${why}`,
      `classify.onnx: output "embedding" has shape [N,D] ${why}`
    ])
    expect(embeddingWidth({ inputs: [image], outputs: withEmbedding(['N', 192]) })).toBe(192)
    expect(embeddingWidth({ inputs: [image], outputs: base })).toBeNull()
  })

  it('computes a stable softmax', () => {
    const p = softmax([1000, 1000, 999])
    expect(p.reduce((a, b) => a + b)).toBeCloseTo(1, 10)
    expect(p[0]).toBeCloseTo(p[1], 10)
  })

  it('picks providers per platform and always ends with the CPU', () => {
    const backends = [
      { name: 'cpu', bundled: true },
      { name: 'cuda', bundled: false },
      { name: 'dml', bundled: true }
    ]
    expect(providerCandidates('auto', 'linux', backends)).toEqual(['cuda', 'cpu'])
    expect(providerCandidates('auto', 'win32', backends)).toEqual(['cuda', 'dml', 'cpu'])
    expect(providerCandidates('auto', 'darwin', backends)).toEqual(['cpu'])
    expect(providerCandidates('auto', 'darwin', [...backends, { name: 'coreml', bundled: true }])).toEqual(['coreml', 'cpu'])
    expect(providerCandidates('cpu', 'linux', backends)).toEqual(['cpu'])
    expect(providerCandidates('webgpu', 'linux', backends)).toEqual(['webgpu', 'cpu'])
  })

  it('knows which providers need a separately installed library', () => {
    expect(providerLibrary('cuda', 'linux')).toBe('libonnxruntime_providers_cuda.so')
    expect(providerLibrary('cuda', 'win32')).toBe('onnxruntime_providers_cuda.dll')
    expect(providerLibrary('dml', 'win32')).toBeNull()
    expect(providerLibrary('coreml', 'darwin')).toBeNull()
  })
})

describe('loading real model folders', () => {
  it('loads the fixture model on the CPU', async () => {
    const model = await loadModel(MICRO_MODEL, { provider: 'auto', threads: 1 })
    expect(model.provider).toBe('cpu')
    // Without the CUDA provider library (as on CI), auto says why it did not try CUDA
    if (process.platform === 'linux' && !existsSync(join(onnxruntimeBinDir(), 'libonnxruntime_providers_cuda.so')))
      expect(model.warnings).toEqual([
        'cuda skipped: its provider library (libonnxruntime_providers_cuda.so) is not installed — npm run setup:cuda'
      ])
    expect(model.generate).not.toBeNull()
    await releaseModel(model)
  })

  it('falls back to the CPU, saying why, when a forced provider cannot load', async () => {
    const model = await loadModel(MICRO_MODEL, { provider: 'cuda', threads: 1, generate: false })
    expect(model.provider).toBe('cpu')
    expect(model.warnings).toEqual([expect.stringMatching(/^cuda could not be used \(.+\); falling back$/)])
    await releaseModel(model)
  })

  it('names a class-count mismatch between model.json and the graph', async () => {
    const dir = await brokenModelCopy((m) => (m.classes = m.classes.slice(0, 7)))
    expect(await contractProblems(dir)).toEqual([
      'classify.onnx: output "logits": shape [N,8], expected [N,7]',
      'classify.onnx: the model has 8 classes but model.json lists 7'
    ])
  })

  it('names a wrong input size and swapped graphs', async () => {
    const wrongSize = await brokenModelCopy((m) => (m.input.size = 48))
    expect(await contractProblems(wrongSize)).toContain('classify.onnx: input "image": shape [N,3,32,32], expected [N,3,48,48]')
    const swapped = await brokenModelCopy((m) => (m.files = { classify: 'generate.onnx', generate: 'classify.onnx' }))
    const problems = await contractProblems(swapped)
    expect(problems[0]).toBe(
      "generate.onnx and classify.onnx look swapped: generate.onnx has the generator's outputs and classify.onnx the classifier's"
    )
    expect(problems).toContain('generate.onnx: missing output "logits" (outputs: reconstruction, poker_face, emotion_component)')
    expect(problems).toContain('classify.onnx: missing output "poker_face" (outputs: logits, emotion_mask, attention)')
  })

  it('names missing and corrupt files', async () => {
    const missing = await brokenModelCopy(() => {})
    await rm(join(missing, 'generate.onnx'))
    expect(await contractProblems(missing)).toEqual(['generate.onnx is missing'])
    const corrupt = await brokenModelCopy(() => {})
    await writeFile(join(corrupt, 'classify.onnx'), 'not a model')
    expect(await contractProblems(corrupt)).toEqual([
      'classify.onnx cannot be opened as an ONNX graph (truncated, or not an ONNX file): Protobuf parsing failed.'
    ])
    const empty = await brokenModelCopy(() => {})
    await writeFile(join(empty, 'generate.onnx'), '')
    expect(await contractProblems(empty)).toEqual(['generate.onnx is empty (0 bytes)'])
    const noManifest = await brokenModelCopy(() => {})
    await rm(join(noManifest, 'model.json'))
    expect(await contractProblems(noManifest)).toEqual(['model.json is missing'])
  })
})

describe('model card accuracy line', () => {
  it('reads what pokerface eval and evaluate.py write', () => {
    expect(cardAccuracyLine({ accuracy: 0.67345, samples: 3137, data: '/x/ferplus (test split, …)' })).toBe(
      '67.3 % accuracy on FERPlus test (3,137 faces), from its model card'
    )
    expect(cardAccuracyLine({ accuracy: 0.5, data: 'FERPlus FER2013Test split (label.csv votes, majority protocol)' })).toBe(
      '50.0 % accuracy on FERPlus test, from its model card'
    )
    expect(cardAccuracyLine({ accuracy: 0.9, data: 'RAF-DB test' })).toBe('90.0 % accuracy on its test set, from its model card')
  })

  it('says nothing when the card has no accuracy', () => {
    for (const metrics of [undefined, null, {}, { accuracy: null }, { accuracy: 'high' }])
      expect(cardAccuracyLine(metrics)).toBeNull()
  })
})
