import { readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { ApiError } from '@shared/api'
import type { ModelInfo } from '@shared/inference'
import type { Db } from '../store/db'
import { upsertModel, userModels } from '../store/predictions'
import { loadModel, ModelContractError, readManifest, releaseModel } from './model'

async function describe(folder: string, source: ModelInfo['source']): Promise<ModelInfo> {
  try {
    const m = await readManifest(folder)
    return {
      id: m.id,
      name: m.name,
      version: m.version,
      classes: m.classes,
      inputSize: m.input.size,
      generates: m.files.generate !== null,
      source,
      folder,
      problems: [],
      metrics: m.metrics
    }
  } catch (err) {
    const problems = err instanceof ModelContractError ? err.problems : [(err as Error).message]
    const id = folder.split(/[\\/]/).filter(Boolean).at(-1) ?? folder
    return { id, name: id, version: '?', classes: [], inputSize: 0, generates: false, source, folder, problems }
  }
}

/**
 * The models the app can run: every folder under the built-in models directory (shipped with
 * the app), then the folders a user added. Built-ins come first; the first usable one is the default.
 */
export async function listModels(db: Db, builtinDir: string): Promise<ModelInfo[]> {
  const entries = await readdir(builtinDir, { withFileTypes: true }).catch(() => [])
  const builtins = await Promise.all(
    entries
      .filter((e) => e.isDirectory())
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((e) => describe(join(builtinDir, e.name), 'builtin'))
  )
  const users = await Promise.all(userModels(db).map((m) => describe(m.folder, 'user')))
  const seen = new Set<string>()
  return [...builtins, ...users].filter((m) => (seen.has(m.id) ? false : (seen.add(m.id), true)))
}

/**
 * Adds a user's exported model folder after loading both graphs and checking them against the
 * contract; throws ModelContractError listing every mismatch.
 */
export async function addUserModel(db: Db, folder: string): Promise<ModelInfo> {
  const abs = resolve(folder)
  const model = await loadModel(abs, { provider: 'cpu', threads: 1 })
  await releaseModel(model)
  upsertModel(db, model.manifest, abs, 'user')
  return describe(abs, 'user')
}

export function pickModel(models: ModelInfo[], modelId: string | undefined): ModelInfo {
  if (modelId) {
    const m = models.find((x) => x.id === modelId)
    if (!m)
      throw new ApiError(
        'not_found',
        `No model with id "${modelId}" (available: ${models.map((x) => x.id).join(', ') || 'none'}). Pass a model folder to add one.`
      )
    if (m.problems.length) throw new ModelContractError(m.folder, m.problems)
    return m
  }
  const usable = models.find((m) => m.problems.length === 0)
  if (!usable) {
    throw new ApiError(
      'not_found',
      'No usable model is installed. Export one with training/export_onnx.py and add its folder (pokerface infer --model <folder>, or Add model in the app).'
    )
  }
  return usable
}
