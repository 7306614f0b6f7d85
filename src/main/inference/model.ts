import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { checkGraphs, embeddingWidth, parseManifest, type ModelManifest } from '@shared/models'
import { graphLoadProblem, readGraphSignature, sessionSignature } from './graphSignature'
import { defaultThreads, providerCandidates, providerLibrary, type ProviderChoice } from './providers'

export class ModelContractError extends Error {
  constructor(
    readonly folder: string,
    readonly problems: string[]
  ) {
    super(`The model in ${folder} does not fit the model contract:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ModelContractError'
  }
}

/** Reads and checks model.json alone; every problem is listed. */
async function readManifestFile(folder: string): Promise<{ manifest: ModelManifest | null; problems: string[] }> {
  let json: unknown
  try {
    json = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'))
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT'
    return {
      manifest: null,
      problems: [missing ? 'model.json is missing' : `model.json is not valid JSON (${(err as Error).message})`]
    }
  }
  return parseManifest(json)
}

const graphFiles = (manifest: ModelManifest): string[] =>
  [manifest.files.classify, manifest.files.generate].filter((f): f is string => !!f)

/** Reads and checks model.json and that the files it names exist and are not empty. Every problem is listed. */
export async function readManifest(folder: string): Promise<ModelManifest> {
  const { manifest, problems } = await readManifestFile(folder)
  if (!manifest) throw new ModelContractError(folder, problems)
  for (const file of graphFiles(manifest)) {
    const s = await stat(join(folder, file)).catch(() => null)
    if (!s?.isFile()) problems.push(`${file} is missing`)
    else if (s.size === 0) problems.push(`${file} is empty (0 bytes)`)
  }
  if (problems.length) throw new ModelContractError(folder, problems)
  return manifest
}

/**
 * The whole contract check of a model folder without keeping it loaded: model.json, then each graph
 * opened in a real session (cached per file, see graphSignature.ts) and its inputs and outputs
 * matched against model.json. `manifest` is null when model.json itself is unusable; `problems`
 * is empty when the model can run.
 */
export async function inspectModel(
  folder: string
): Promise<{ manifest: ModelManifest | null; problems: string[]; embeddingWidth?: number | null }> {
  const { manifest, problems } = await readManifestFile(folder)
  if (!manifest) return { manifest, problems }
  const open = (file: string | null) => (file ? readGraphSignature(join(folder, file), file) : Promise.resolve(null))
  const [classify, generate] = await Promise.all([open(manifest.files.classify), open(manifest.files.generate)])
  // A graph that cannot be opened has no outputs to compare: its own problem says everything.
  const unopened = [classify, generate].flatMap((v) => (v && !v.ok ? [v.problem] : []))
  if (unopened.length || !classify?.ok) return { manifest, problems: unopened }
  return {
    manifest,
    problems: checkGraphs(manifest, classify.signature, generate?.ok ? generate.signature : null),
    embeddingWidth: embeddingWidth(classify.signature)
  }
}

export interface LoadedModel {
  folder: string
  manifest: ModelManifest
  classify: ort.InferenceSession
  generate: ort.InferenceSession | null
  /** The provider the sessions actually run on, and why others were skipped. */
  provider: string
  threads: number
  warnings: string[]
}

export interface LoadOptions {
  provider?: ProviderChoice
  threads?: number
  /** Load generate.onnx too (poker faces). Classification alone is much faster. */
  generate?: boolean
}

async function createSession(path: string, provider: string, threads: number): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(path, {
    executionProviders: [provider],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    // Idle intra-op threads would otherwise spin between calls, taking the cores that decode
    // images and write PNGs meanwhile; on a 2-core machine that costs more than it saves.
    extra: { session: { intra_op: { allow_spinning: '0' } } }
  })
}

/** Where onnxruntime-node keeps its native libraries, and where setup:cuda adds the CUDA provider's. */
export function onnxruntimeBinDir(): string {
  const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json')
  return join(dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch)
}

/** Opens both graphs on the best available provider, checking them against the contract. */
export async function loadModel(folder: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const manifest = await readManifest(folder)
  const threads = options.threads ?? defaultThreads(cpus().length)
  const warnings: string[] = []
  const wantGenerate = options.generate !== false && manifest.files.generate !== null
  const choice = options.provider ?? 'auto'
  for (const provider of providerCandidates(choice, process.platform, ort.listSupportedBackends())) {
    const library = providerLibrary(provider, process.platform)
    if (choice === 'auto' && library && !existsSync(join(onnxruntimeBinDir(), library))) {
      warnings.push(`${provider} skipped: its provider library (${library}) is not installed — npm run setup:cuda`)
      continue
    }
    let classify: ort.InferenceSession | null = null
    let generate: ort.InferenceSession | null = null
    let file = manifest.files.classify
    try {
      classify = await createSession(join(folder, file), provider, threads)
      if (wantGenerate) {
        file = manifest.files.generate as string
        generate = await createSession(join(folder, file), provider, threads)
      }
    } catch (err) {
      await classify?.release()
      const message = String((err as Error).message ?? err)
      if (provider === 'cpu') throw new ModelContractError(folder, [graphLoadProblem(file, message)])
      warnings.push(`${provider} could not be used (${message.split('\n')[0]}); falling back`)
      continue
    }
    const problems = checkGraphs(manifest, sessionSignature(classify), generate && sessionSignature(generate))
    if (problems.length) {
      await classify.release()
      await generate?.release()
      throw new ModelContractError(folder, problems)
    }
    return { folder, manifest, classify, generate, provider, threads, warnings }
  }
  throw new ModelContractError(folder, ['no execution provider could load the model'])
}

export async function releaseModel(model: LoadedModel): Promise<void> {
  await model.classify.release()
  await model.generate?.release()
}
