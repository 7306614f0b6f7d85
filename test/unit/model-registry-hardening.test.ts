// Issue #18, "Models": the model list must say which models cannot run and why (F14), and a model id
// must never become a path outside the generated-face cache (F15). Real graphs (the committed micro
// model and broken copies of it), real onnxruntime sessions, real files on disk.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { cp, mkdir, readdir, readFile, stat, truncate, utimes, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseManifest } from '@shared/models'
import { modelIdProblem } from '@shared/modelId'
import type { ModelInfo } from '@shared/inference'
import { closeContext, createContext, type AppContext } from '@main/api/context'
import { createApiHandlers } from '@main/api/service'
import { resolveModelArg } from '@main/cli/modelArg'
import { graphLoadProblem } from '@main/inference/graphSignature'
import { postProcess } from '@main/inference/postProcess'
import { generatedSheetPath } from '@main/media/sheetLayout'
import { listModels, pickModel } from '@main/inference/registry'
import { openDb, type Db } from '@main/store/db'
import { tempDir } from '../helpers/data'
import { MICRO_MODEL } from '../helpers/models'

const GOOD_ID = 'pfvit-micro-test'
const microManifest = JSON.parse(readFileSync(join(MICRO_MODEL, 'model.json'), 'utf8'))

/** Copies the micro model into `models/<folder>`, then lets a test break it. */
async function modelFolder(
  models: string,
  folder: string,
  edit: { manifest?: (m: Record<string, any>) => void; files?: (dir: string) => Promise<void> } = {}
): Promise<string> {
  const dir = join(models, folder)
  await cp(MICRO_MODEL, dir, { recursive: true })
  const manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'))
  edit.manifest?.(manifest)
  await writeFile(join(dir, 'model.json'), JSON.stringify(manifest))
  await edit.files?.(dir)
  return dir
}

/** Bytes that look random but are the same on every run, so the test never flips. */
function noise(length: number): Buffer {
  const out: Buffer[] = []
  let block = createHash('sha256').update('pokerface F14').digest()
  for (let n = 0; n < length; n += block.length) {
    out.push(block)
    block = createHash('sha256').update(block).digest()
  }
  return Buffer.concat(out).subarray(0, length)
}

async function halve(path: string): Promise<void> {
  await truncate(path, Math.floor((await stat(path)).size / 2))
}

const byId = (models: ModelInfo[], id: string): ModelInfo => {
  const m = models.find((x) => x.id === id)
  if (!m) throw new Error(`${id} is not listed (listed: ${models.map((x) => x.id).join(', ')})`)
  return m
}

let db: Db
beforeAll(() => {
  db = openDb(':memory:')
})
afterAll(() => db.close())

describe('F14: the model list opens every graph and says why a model cannot run', () => {
  let models: ModelInfo[]

  beforeAll(async () => {
    const dir = await tempDir('pf-models-')
    const id = (id: string) => (m: Record<string, any>) => (m.id = id)
    await modelFolder(dir, 'truncated', { manifest: id('truncated'), files: (d) => halve(join(d, 'classify.onnx')) })
    await modelFolder(dir, 'empty', { manifest: id('empty'), files: (d) => writeFile(join(d, 'generate.onnx'), '') })
    await modelFolder(dir, 'random', {
      manifest: id('random'),
      files: (d) => writeFile(join(d, 'classify.onnx'), noise(160_000))
    })
    await modelFolder(dir, 'swapped', {
      manifest: id('swapped'),
      files: async (d) => {
        const [classify, generate] = await Promise.all([readFile(join(d, 'classify.onnx')), readFile(join(d, 'generate.onnx'))])
        await Promise.all([writeFile(join(d, 'classify.onnx'), generate), writeFile(join(d, 'generate.onnx'), classify)])
      }
    })
    await modelFolder(dir, 'seven-classes', {
      manifest: (m) => ((m.id = 'seven-classes'), (m.classes = m.classes.slice(0, 7)))
    })
    await modelFolder(dir, 'wrong-size', { manifest: (m) => ((m.id = 'wrong-size'), (m.input.size = 48)) })
    await modelFolder(dir, 'zz-good')
    models = await listModels(db, dir)
  })

  it('F14: a truncated classify.onnx is listed as invalid, naming the file', () => {
    expect(byId(models, 'truncated').problems).toEqual([
      expect.stringMatching(/^classify\.onnx cannot be opened as an ONNX graph \(truncated, or not an ONNX file\): .+/)
    ])
  })

  it('F14: an empty generate.onnx is listed as invalid', () => {
    expect(byId(models, 'empty').problems).toEqual(['generate.onnx is empty (0 bytes)'])
  })

  it('F14: a classify.onnx of random bytes is listed as invalid', () => {
    expect(byId(models, 'random').problems).toEqual([
      expect.stringMatching(/^classify\.onnx cannot be opened as an ONNX graph \(truncated, or not an ONNX file\): .+/)
    ])
  })

  it('F14: swapped classify.onnx and generate.onnx are listed as invalid, and the swap is named', () => {
    const { problems } = byId(models, 'swapped')
    expect(problems[0]).toBe(
      "classify.onnx and generate.onnx look swapped: classify.onnx has the generator's outputs and generate.onnx the classifier's"
    )
    expect(problems).toContain('classify.onnx: missing output "logits" (outputs: reconstruction, poker_face, emotion_component)')
  })

  it('F14: a class count that differs from the graph is listed as invalid', () => {
    expect(byId(models, 'seven-classes').problems).toContain('classify.onnx: the model has 8 classes but model.json lists 7')
  })

  it('F14: an input size that differs from the graph is listed as invalid', () => {
    const { problems } = byId(models, 'wrong-size')
    expect(problems).toContain('classify.onnx: input "image": shape [N,3,32,32], expected [N,3,48,48]')
    expect(problems).toContain('generate.onnx: input "image": shape [N,3,32,32], expected [N,3,48,48]')
  })

  it('F14: a broken model still shows its name, so the researcher knows which one it is', () => {
    expect(byId(models, 'swapped')).toMatchObject({ name: 'PF-ViT micro (untrained, tests only)', classes: expect.any(Array) })
  })

  it('F14: the good model among them is listed without problems and is the default', () => {
    expect(byId(models, GOOD_ID).problems).toEqual([])
    expect(pickModel(models, undefined).id).toBe(GOOD_ID)
  })

  it('F14: asking for a broken model by id answers with its problems', () => {
    expect(() => pickModel(models, 'empty')).toThrow(/generate\.onnx is empty \(0 bytes\)/)
  })
})

describe('F14: the default model is the first valid one', () => {
  it('F14: without a model choice, a broken model that sorts first is passed over for a good one', async () => {
    const dir = await tempDir('pf-models-')
    await modelFolder(dir, 'aaa-broken', {
      manifest: (m) => (m.id = 'aaa-broken'),
      files: (d) => halve(join(d, 'generate.onnx'))
    })
    const good = await modelFolder(dir, 'pfvit-micro')
    const chosen = pickModel(await listModels(db, dir), undefined)
    expect(chosen).toMatchObject({ id: GOOD_ID, folder: good, problems: [] })
  })

  it('F14: a broken copy with the same id that sorts first does not hide the good one', async () => {
    const dir = await tempDir('pf-models-')
    const broken = await modelFolder(dir, 'a-copy', { files: (d) => writeFile(join(d, 'classify.onnx'), noise(1000)) })
    const good = await modelFolder(dir, 'b-original')
    const models = await listModels(db, dir)
    expect(pickModel(models, undefined).folder).toBe(good)
    expect(pickModel(models, GOOD_ID).folder).toBe(good)
    expect(models.map((m) => m.folder)).not.toContain(broken)
  })

  it('F14: with no valid model, the error says why each one was rejected', async () => {
    const dir = await tempDir('pf-models-')
    await modelFolder(dir, 'only', { manifest: (m) => (m.id = 'only'), files: (d) => writeFile(join(d, 'generate.onnx'), '') })
    expect(() => pickModel([] as ModelInfo[], undefined)).toThrow(/No usable model/)
    const models = await listModels(db, dir)
    expect(() => pickModel(models, undefined)).toThrow(/only .*generate\.onnx is empty \(0 bytes\)/s)
  })
})

describe("F14: why a graph cannot be opened, in a researcher's words", () => {
  it("F14: onnxruntime's path prefix and C++ source location are dropped, the cause is kept", () => {
    // Messages as onnxruntime-node 1.30 gives them for an empty protobuf and for random bytes.
    expect(
      graphLoadProblem(
        'classify.onnx',
        'Load model from /tmp/m/classify.onnx failed:/onnxruntime_src/onnxruntime/core/graph/model.cc:187 onnxruntime::Model::Model(onnx::ModelProto&&, const onnxruntime::PathString&, const onnxruntime::logging::Logger&, const onnxruntime::ModelOptions&) ModelProto does not have a graph.'
      )
    ).toBe('classify.onnx cannot be opened as an ONNX graph: ModelProto does not have a graph.')
    expect(graphLoadProblem('generate.onnx', 'Load model from /a b/generate.onnx failed:Protobuf parsing failed.')).toBe(
      'generate.onnx cannot be opened as an ONNX graph (truncated, or not an ONNX file): Protobuf parsing failed.'
    )
  })
})

describe('F14: graph verdicts are cached per file (size and modification time)', () => {
  it('F14: an unchanged graph is not reopened, a changed one is', async () => {
    const dir = await tempDir('pf-models-')
    const classify = join(await modelFolder(dir, 'm'), 'classify.onnx')
    // A whole-second time, so setting it again below restores it exactly (no sub-millisecond digits).
    const mtime = new Date('2024-01-02T03:04:05Z')
    await utimes(classify, mtime, mtime)
    expect((await listModels(db, dir))[0].problems).toEqual([])
    // Same size, same modification time, different bytes: only a cached verdict can still say "fine",
    // which shows the listing did not open the graph again.
    await writeFile(classify, noise((await stat(classify)).size))
    await utimes(classify, mtime, mtime)
    expect((await listModels(db, dir))[0].problems).toEqual([])
    // A real change (here: the size) is seen at once.
    await halve(classify)
    expect((await listModels(db, dir))[0].problems).toEqual([
      expect.stringMatching(/^classify\.onnx cannot be opened as an ONNX graph/)
    ])
  })
})

describe('F15: one definition of a model id', () => {
  const longId = 'a'.repeat(65)

  it('F15: "..", ".", "/", "\\\\", NUL and very long ids are rejected', () => {
    for (const id of [
      '..',
      '.',
      '/',
      '\\',
      'a/b',
      'a\\b',
      '../x',
      'x\0y',
      '\0',
      '',
      ' ',
      '.hidden',
      'trailing.',
      longId,
      'CON',
      'nul.v1'
    ])
      expect(modelIdProblem(id), JSON.stringify(id)).not.toBeNull()
    for (const id of [undefined, null, 42, {}]) expect(modelIdProblem(id)).not.toBeNull()
  })

  it('F15: the ids the app ships and tests with are accepted', () => {
    for (const id of ['pfvit-ferplus-small-v9', 'pfvit-ferplus-small-v9-int8', GOOD_ID, 'm', 'v1.2_b', 'a'.repeat(64)])
      expect(modelIdProblem(id), id).toBeNull()
  })

  it('F15: model.json with the id ".." is refused, with the reason', () => {
    const { manifest, problems } = parseManifest({ ...microManifest, id: '..' })
    expect(manifest).toBeNull()
    expect(problems).toEqual([expect.stringMatching(/^model\.json: "id" .*letter or digit/)])
  })

  it('F15: a model folder whose model.json says id ".." is listed as invalid', async () => {
    const dir = await tempDir('pf-models-')
    await modelFolder(dir, 'dots', { manifest: (m) => (m.id = '..') })
    const [model] = await listModels(db, dir)
    expect(model.problems).toEqual([expect.stringMatching(/^model\.json: "id" /)])
    expect(() => pickModel([model], undefined)).toThrow(/No usable model/)
  })

  it('F15: no cache path is built from an invalid id', async () => {
    const cache = join(await tempDir('pf-cache-'), 'cache', 'generated')
    for (const id of ['..', '.', '../..', 'a/../..', longId])
      expect(() => generatedSheetPath(cache, id, 'ab12'), JSON.stringify(id)).toThrow(/model id/)
    expect(relative(cache, generatedSheetPath(cache, GOOD_ID, 'ab12'))).toBe(join(GOOD_ID, 'ab', 'ab12.png'))
  })

  it('F15: post-processing for the model id ".." writes nothing outside cache/generated', async () => {
    const root = await tempDir('pf-cache-')
    const cache = join(root, 'cache', 'generated')
    await mkdir(cache, { recursive: true })
    const s = 8
    const plane = new Float32Array(3 * s * s)
    const raw = {
      decoded: ['ab12'],
      failed: [],
      input: plane,
      logits: new Float32Array([1, 0]),
      attention: new Float32Array([1]),
      attentionCells: 1,
      generated: [plane, plane, plane]
    }
    const spec = { modelId: '..', classes: ['a', 'b'], input: { size: s, mean: [0, 0, 0], std: [1, 1, 1] } }
    expect(() => postProcess(raw, spec, cache)).toThrow(/model id/)
    expect(await readdir(join(root, 'cache'))).toEqual(['generated'])
    expect(existsSync(join(root, 'cache', 'ab'))).toBe(false)
  })

  it('F15: `--model` with a value that is neither a folder nor a valid id is refused with the reason', async () => {
    const ctx: AppContext = createContext(await tempDir('pf-home-'), 'test', { modelsDir: await tempDir('pf-models-') })
    try {
      const handlers = createApiHandlers(ctx)
      for (const arg of ['../no-such-folder', 'x\0y', longId]) {
        const { id, error } = await resolveModelArg(handlers, arg)
        expect(id, arg).toBeUndefined()
        expect(error, arg).toMatch(/is neither a model folder nor a valid model id/)
      }
      expect(await resolveModelArg(handlers, GOOD_ID)).toEqual({ id: GOOD_ID })
    } finally {
      await closeContext(ctx)
    }
  })
})
