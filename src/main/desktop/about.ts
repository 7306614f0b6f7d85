/**
 * The About box: versions, where data lives, and which model runs on which hardware. Pure, so
 * what it says is tested; src/main/index.ts gathers the facts and shows the native dialog.
 */
import type { InferenceJobStatus } from '@shared/inference'

/** The model the app last ran (or is running), as the About box reports it. */
export interface ModelInUse {
  id: string
  name: string | null
  version: string | null
  /** The execution provider onnxruntime actually used (cpu, cuda, dml, coreml…), once known. */
  provider: string | null
  threads: number | null
  state: InferenceJobStatus['state']
}

export interface AboutFacts {
  productName: string
  version: string
  versions: { electron?: string; chrome?: string; node?: string }
  platform: string
  arch: string
  dataDir: string
  modelsDir: string
  model: ModelInUse | null
}

/** The running run, else the most recently started one. */
export function latestRun(runs: InferenceJobStatus[]): InferenceJobStatus | null {
  const running = runs.filter((r) => r.state === 'starting' || r.state === 'running')
  const pool = running.length ? running : runs
  return pool.reduce<InferenceJobStatus | null>((best, r) => (!best || r.startedAt > best.startedAt ? r : best), null)
}

export function modelLine(model: ModelInUse | null): string {
  if (!model) return 'Model: no model loaded'
  const name = model.name ? `${model.name}${model.version ? ` ${model.version}` : ''} (${model.id})` : model.id
  const where = model.provider ? `${model.provider}${model.threads ? `, ${model.threads} threads` : ''}` : 'not started yet'
  const running = model.state === 'running' || model.state === 'starting' ? 'running' : `last run ${model.state}`
  return `Model: ${name}\nExecution provider: ${where} (${running})`
}

export function aboutBox(f: AboutFacts): { title: string; message: string; detail: string } {
  return {
    title: `About ${f.productName}`,
    message: `${f.productName} ${f.version}`,
    detail: [
      modelLine(f.model),
      '',
      `Data folder: ${f.dataDir}`,
      `Models folder: ${f.modelsDir}`,
      '',
      `Electron ${f.versions.electron ?? '?'} · Chromium ${f.versions.chrome ?? '?'} · Node.js ${f.versions.node ?? '?'}`,
      `${f.platform} ${f.arch}`
    ].join('\n')
  }
}
