import { join } from 'node:path'
import { sha256FileCached } from '../files/sha256File'
import { readManifest } from './model'

/** One string for a model folder's graphs: the classify graph's SHA-256, a space, the generate graph's ('-' for none). */
export async function graphsSha256(folder: string): Promise<string> {
  const { files } = await readManifest(folder)
  const classify = await sha256FileCached(join(folder, files.classify))
  const generate = files.generate ? await sha256FileCached(join(folder, files.generate)) : '-'
  return `${classify} ${generate}`
}
