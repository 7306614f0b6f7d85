import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { ROOT, testEnv } from './browser'
import { copyFaceFixture, tempDir } from './data'
import { MICRO_EMBED_MODEL } from './models'

const CLI = join(ROOT, 'out', 'main', 'cli.js')

/**
 * The face fixture with every face run through the micro model that outputs embeddings (by the real
 * CLI, real ONNX): what "more like this" and the map read (`model`: another, e.g. one without the
 * embedding output). Answers the dataset folder and the data
 * folder to serve it from.
 */
export async function embeddedFaceFixture(
  prefix: string,
  model = MICRO_EMBED_MODEL
): Promise<{ root: string; home: string; faces: number }> {
  const root = join(await tempDir(`${prefix}-`), 'faces')
  const files = await copyFaceFixture(root)
  const home = await tempDir(`${prefix}-home-`)
  const run = spawnSync(
    process.execPath,
    [CLI, 'infer', root, '--model', model, '--data-dir', home, '--threads', '1', '--no-generate', '--json'],
    { encoding: 'utf8', timeout: 170_000, env: testEnv() }
  )
  if (run.status !== 0) throw new Error(`pokerface infer failed: ${run.stderr}`)
  return { root, home, faces: files.length }
}
