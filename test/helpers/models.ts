import { cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tempDir } from './data'

/** The committed untrained micro PF-ViT (see test/fixtures/models/README.md). */
export const MICRO_MODEL = join(__dirname, '..', 'fixtures', 'models', 'pfvit-micro')
/** Its classifier alone, exported with the optional `embedding` output (issue 17). */
export const MICRO_EMBED_MODEL = join(__dirname, '..', 'fixtures', 'models', 'pfvit-micro-embed')

/** A copy of the micro model with model.json edited, for contract-violation tests. */
export async function brokenModelCopy(edit: (manifest: Record<string, any>) => void): Promise<string> {
  const dir = join(await tempDir('pf-model-'), 'model')
  await cp(MICRO_MODEL, dir, { recursive: true })
  const manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'))
  edit(manifest)
  await writeFile(join(dir, 'model.json'), JSON.stringify(manifest))
  return dir
}
