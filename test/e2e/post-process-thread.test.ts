import { readFile, writeFile } from 'node:fs/promises'
import { getPriority } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InferenceEngine, prepareBatch } from '@main/inference/engine'
import { loadModel, releaseModel, type LoadedModel } from '@main/inference/model'
import { postProcess, type RawOutputs } from '@main/inference/postProcess'
import { generatedSheetPath } from '@main/media/sheetLayout'
import { PostProcessThread } from '@main/inference/postProcessThread'
import { tempDir } from '../helpers/data'
import { HAS_BUILD, ROOT } from '../helpers/browser'
import { MICRO_MODEL } from '../helpers/models'

const WORKER = join(ROOT, 'out', 'main', 'postProcessWorker.js')
if (!HAS_BUILD) console.warn('[post-process-thread] skipped: no build in out/ (run npm run build)')

/** Patterned stand-in faces: what matters here is that both paths see the same outputs. */
async function faces(n: number): Promise<Uint8Array[]> {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      sharp(Buffer.from(Array.from({ length: 24 * 24 * 3 }, (_, p) => (p * 31 + i * 97) % 256)), {
        raw: { width: 24, height: 24, channels: 3 }
      })
        .png()
        .toBuffer()
    )
  )
}

describe.skipIf(!HAS_BUILD)('the post-processing thread (built worker, real model outputs)', () => {
  let model: LoadedModel
  let engine: InferenceEngine
  let raw: () => Promise<RawOutputs>
  let dir: string

  beforeAll(async () => {
    dir = await tempDir('pf-post-')
    model = await loadModel(MICRO_MODEL, { provider: 'cpu', threads: 1, generate: true })
    engine = new InferenceEngine(model, join(dir, 'unused'))
    const items = (await faces(5)).map((source, i) => ({ hash: `${i}0f${'0'.repeat(60)}`, source }))
    // Fresh outputs each time: handing them to the thread moves their buffers away.
    raw = async () => engine.runModel(await prepareBatch(items, model.manifest.input))
  })

  afterAll(async () => {
    await releaseModel(model)
  })

  it('stores the same results and the same sheet bytes as post-processing in-process', async () => {
    const here = postProcess(await raw(), engine.spec, join(dir, 'here'))
    const thread = new PostProcessThread(WORKER, engine.spec, join(dir, 'thread'))
    try {
      const there = await thread.process(await raw())
      expect(there).toEqual(here)
      expect(thread.pending).toBe(0)
      for (const r of here) {
        const [a, b] = [join(dir, 'here'), join(dir, 'thread')].map((d) => generatedSheetPath(d, engine.spec.modelId, r.hash))
        expect(Buffer.compare(await readFile(a), await readFile(b))).toBe(0)
      }
    } finally {
      await thread.close()
    }
  })

  it.runIf(process.platform === 'linux')('runs at the lowest priority without lowering the rest of the process', async () => {
    const before = getPriority(0)
    const thread = new PostProcessThread(WORKER, engine.spec, join(dir, 'nice'))
    try {
      expect(await thread.nice).toBe(19)
      expect(getPriority(0)).toBe(before) // this thread (the runner's) keeps its priority
    } finally {
      await thread.close()
    }
  })

  it('rejects a batch it cannot write with the reason, and a closed thread rejects at once', async () => {
    const blocked = join(dir, 'a-file')
    await writeFile(blocked, 'not a folder')
    const thread = new PostProcessThread(WORKER, engine.spec, blocked)
    try {
      await expect(thread.process(await raw())).rejects.toThrow(/ENOTDIR|EEXIST|not a directory/i)
      expect(thread.pending).toBe(0)
      await expect(thread.drained()).resolves.toBeUndefined()
    } finally {
      await thread.close()
    }
    // A thread that has gone away rejects instead of waiting for ever.
    await expect(thread.process(await raw())).rejects.toThrow(/post-processing thread exited/)
  })
})
