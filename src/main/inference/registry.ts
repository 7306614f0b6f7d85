import { readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { ApiError } from '@shared/api'
import type { ModelInfo } from '@shared/inference'
import type { Db } from '../store/db'
import { upsertModel, userModels } from '../store/predictions'
import { inspectModel, ModelContractError } from './model'

const usable = (m: ModelInfo): boolean => m.problems.length === 0

/** A model folder as the list shows it: what model.json says, and every reason it cannot run. */
async function describe(folder: string, source: ModelInfo['source']): Promise<ModelInfo> {
  const {
    manifest: m,
    problems,
    embeddingWidth
  } = await inspectModel(folder).catch((err: Error) => ({
    manifest: null,
    problems: [`cannot be checked: ${err.message}`],
    embeddingWidth: null
  }))
  if (m) {
    return {
      id: m.id,
      name: m.name,
      version: m.version,
      classes: m.classes,
      inputSize: m.input.size,
      generates: m.files.generate !== null,
      embeddingWidth: embeddingWidth ?? null,
      source,
      folder,
      problems,
      metrics: m.metrics
    }
  }
  // Without a usable model.json the folder's name is all there is to show; it is never run.
  const id = folder.split(/[\\/]/).filter(Boolean).at(-1) ?? folder
  return { id, name: id, version: '?', classes: [], inputSize: 0, generates: false, source, folder, problems }
}

/**
 * One entry per id, built-ins first: the first usable folder with that id, else the first one. A
 * broken copy that sorts before a good one must not hide it (issue #18, F14).
 */
function onePerId(models: ModelInfo[]): ModelInfo[] {
  const chosen = new Map<string, ModelInfo>()
  for (const m of models) {
    const held = chosen.get(m.id)
    if (!held || (!usable(held) && usable(m))) chosen.set(m.id, m)
  }
  return models.filter((m) => chosen.get(m.id) === m)
}

/**
 * The models the app can run: every folder under the built-in models directory (shipped with
 * the app), then the folders a user added, each opened and checked against the model contract
 * (cached per graph file, so listing again is cheap). Built-ins come first; the first usable one
 * is the default.
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
  return onePerId([...builtins, ...users])
}

/**
 * Adds a user's exported model folder after opening both graphs and checking them against the
 * contract; throws ModelContractError listing every mismatch.
 */
export async function addUserModel(db: Db, folder: string): Promise<ModelInfo> {
  const abs = resolve(folder)
  const { manifest, problems } = await inspectModel(abs)
  if (!manifest || problems.length) throw new ModelContractError(abs, problems)
  upsertModel(db, manifest, abs, 'user')
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
    if (!usable(m)) throw new ModelContractError(m.folder, m.problems)
    return m
  }
  const first = models.find(usable)
  if (!first) {
    // Name every rejected model and why, so "installed but broken" never reads as "not installed".
    const rejected = models.map((m) => `\n  ${m.id} (${m.folder}): ${m.problems.join('; ')}`).join('')
    throw new ApiError(
      'not_found',
      `No usable model is installed.${rejected ? ` These models do not fit the model contract:${rejected}\n` : ' '}` +
        'Export one with training/export_onnx.py and add its folder (pokerface infer --model <folder>, or Add model in the app).'
    )
  }
  return first
}
