/**
 * What a shard file says about the model that made it, and what `pokerface merge` compares with
 * the model of the same id in the store it merges into: model.json's id, version, classes and
 * input normalisation, and for each graph its declared inputs and outputs (the contract) and the
 * SHA-256 of its bytes. The signature alone would let two trainings exported under one id mix
 * their predictions in one store; the bytes' hash cannot.
 */
import { join } from 'node:path'
import { embeddingWidth, type GraphSignature, type ModelManifest } from '@shared/models'
import { readGraphSignature } from '../inference/graphSignature'
import { readManifest } from '../inference/model'
import { sha256FileCached } from '../files/sha256File'

export interface GraphFingerprint {
  role: 'classify' | 'generate'
  file: string
  sha256: string
  signature: GraphSignature
}

export interface ModelFingerprint {
  id: string
  version: string
  classes: string[]
  input: ModelManifest['input']
  graphs: GraphFingerprint[]
}

/** Reads the fingerprint of the model folder; throws ModelContractError for a folder that is not one. */
export async function modelFingerprint(folder: string): Promise<ModelFingerprint> {
  const manifest = await readManifest(folder)
  const graphs: GraphFingerprint[] = []
  for (const role of ['classify', 'generate'] as const) {
    const file = manifest.files[role]
    if (!file) continue
    const path = join(folder, file)
    const verdict = await readGraphSignature(path, file)
    if (!verdict.ok) throw new Error(verdict.problem)
    graphs.push({ role, file, sha256: await sha256FileCached(path), signature: verdict.signature })
  }
  return { id: manifest.id, version: manifest.version, classes: manifest.classes, input: manifest.input, graphs }
}

/**
 * One string for a model's graphs, as the store records which graphs its results came from
 * (store/modelGraphs.ts): the classify graph's SHA-256, a space, the generate graph's ('-' for none).
 */
export function graphsSha256(model: ModelFingerprint): string {
  const of = (role: GraphFingerprint['role']) => model.graphs.find((g) => g.role === role)?.sha256 ?? '-'
  return `${of('classify')} ${of('generate')}`
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/**
 * Every way the model a shard was made with (`made`) differs from the store's model of that id
 * (`here`), in words; empty when they are the same model. Pure, so each difference is tested alone.
 */
export function fingerprintDifferences(made: ModelFingerprint, here: ModelFingerprint): string[] {
  const out: string[] = []
  if (made.id !== here.id) out.push(`model id "${made.id}", not "${here.id}"`)
  if (made.version !== here.version) out.push(`model version ${made.version}, not ${here.version}`)
  if (!same(made.classes, here.classes))
    out.push(`classes [${made.classes.join(', ')}], not [${here.classes.join(', ')}] (class order matters)`)
  if (!same(made.input, here.input)) out.push(`input ${JSON.stringify(made.input)}, not ${JSON.stringify(here.input)}`)
  for (const role of ['classify', 'generate'] as const) {
    const a = made.graphs.find((g) => g.role === role)
    const b = here.graphs.find((g) => g.role === role)
    if (!a && !b) continue
    if (!a || !b) {
      out.push(a ? `a ${role} graph the model here lacks` : `no ${role} graph, where the model here has one`)
      continue
    }
    if (!same(a.signature, b.signature))
      out.push(`${role} graph inputs/outputs ${JSON.stringify(a.signature)}, not ${JSON.stringify(b.signature)}`)
    else if (a.sha256 !== b.sha256)
      out.push(`a different ${role} graph (${a.file} sha256 ${a.sha256.slice(0, 12)}…, here ${b.sha256.slice(0, 12)}…)`)
  }
  return out
}

/** The width of the model's per-image embedding (its classify graph's optional output), or null. */
export function fingerprintEmbeddingWidth(model: ModelFingerprint): number | null {
  const classify = model.graphs.find((g) => g.role === 'classify')
  return classify ? embeddingWidth(classify.signature) : null
}
