import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { checkClassifyGraph, checkGenerateGraph, parseManifest, type ModelManifest, type TensorSignature } from '@shared/models'
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

function signatures(meta: readonly ort.InferenceSession.ValueMetadata[]): TensorSignature[] {
  return meta.map((m) =>
    m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] }
  )
}

/** Reads and checks model.json and that the files it names exist. Every problem is listed. */
export async function readManifest(folder: string): Promise<ModelManifest> {
  let json: unknown
  try {
    json = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'))
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT'
    throw new ModelContractError(folder, [
      missing ? 'model.json is missing' : `model.json is not valid JSON (${(err as Error).message})`
    ])
  }
  const { manifest, problems } = parseManifest(json)
  if (!manifest) throw new ModelContractError(folder, problems)
  const files = [manifest.files.classify, manifest.files.generate].filter((f): f is string => !!f)
  for (const file of files) {
    const s = await stat(join(folder, file)).catch(() => null)
    if (!s?.isFile()) problems.push(`${file} is missing`)
  }
  if (problems.length) throw new ModelContractError(folder, problems)
  return manifest
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
    let classify: ort.InferenceSession
    let generate: ort.InferenceSession | null = null
    try {
      classify = await createSession(join(folder, manifest.files.classify), provider, threads)
      if (wantGenerate) generate = await createSession(join(folder, manifest.files.generate as string), provider, threads)
    } catch (err) {
      const firstLine = String((err as Error).message ?? err).split('\n')[0]
      if (provider === 'cpu') throw new ModelContractError(folder, [`cannot load the ONNX graphs: ${firstLine}`])
      warnings.push(`${provider} could not be used (${firstLine}); falling back`)
      continue
    }
    const problems = checkClassifyGraph(manifest, signatures(classify.inputMetadata), signatures(classify.outputMetadata))
    if (generate)
      problems.push(...checkGenerateGraph(manifest, signatures(generate.inputMetadata), signatures(generate.outputMetadata)))
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
