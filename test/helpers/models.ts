import { copyFile, cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tempDir } from './data'

/** The committed untrained micro PF-ViT (see test/fixtures/models/README.md). */
export const MICRO_MODEL = join(__dirname, '..', 'fixtures', 'models', 'pfvit-micro')
/** Its classifier alone, exported with the optional `embedding` output (issue 17). */
export const MICRO_EMBED_MODEL = join(__dirname, '..', 'fixtures', 'models', 'pfvit-micro-embed')

/**
 * The micro model with both graphs where the classifier has the `embedding` output: the micro
 * model's generator beside pfvit-micro-embed's classifier (the contract checks each graph alone),
 * under its own id. For the flows that store poker faces and embeddings together (cluster merge).
 */
export async function embedAndGenerateModel(): Promise<string> {
  const dir = join(await tempDir('pf-model-'), 'model')
  await cp(MICRO_MODEL, dir, { recursive: true })
  await copyFile(join(MICRO_EMBED_MODEL, 'classify.onnx'), join(dir, 'classify.onnx'))
  const manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'))
  const embed = JSON.parse(await readFile(join(MICRO_EMBED_MODEL, 'model.json'), 'utf8'))
  manifest.id = 'pfvit-micro-embed-gen-test'
  manifest.name = 'PF-ViT micro with embedding and generator (untrained, tests only)'
  manifest.outputs.embedding = embed.outputs.embedding
  await writeFile(join(dir, 'model.json'), JSON.stringify(manifest))
  return dir
}

/** A copy of the micro model (or `from`) with model.json edited, for contract-violation tests. */
export async function brokenModelCopy(
  edit: (manifest: Record<string, any>) => void,
  from: string = MICRO_MODEL
): Promise<string> {
  const dir = join(await tempDir('pf-model-'), 'model')
  await cp(from, dir, { recursive: true })
  const manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'))
  edit(manifest)
  await writeFile(join(dir, 'model.json'), JSON.stringify(manifest))
  return dir
}
