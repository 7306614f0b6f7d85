import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'

/** SHA-256 of a file's bytes, hex, streamed (model graphs run to tens of megabytes). */
function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')))
  })
}

const remembered = new Map<string, { key: string; sha256: string }>()

/**
 * SHA-256 of a file's bytes, remembered per file while its size, modification time and inode stay
 * the same: the app asks for its model's graphs (50 MB for the default) at every run start, and a
 * shard or a merge asks again for the same files.
 */
export async function sha256FileCached(path: string): Promise<string> {
  const s = await stat(path)
  const key = `${s.size}:${s.mtimeMs}:${s.ino}`
  const held = remembered.get(path)
  if (held?.key === key) return held.sha256
  const sha256 = await sha256File(path)
  remembered.set(path, { key, sha256 })
  return sha256
}
