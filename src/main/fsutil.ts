import { copyFile, mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { dirname } from 'node:path'

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

function timestamp(date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\..+$/, '').replace('T', '-')
}

/**
 * Writes a file so that readers see either the old content or the whole new content, never a
 * part: write a temporary file beside it, flush it to disk, rename over. When a file is replaced,
 * a copy of the old one is kept first and its path returned.
 */
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  options: { keepBackup: boolean }
): Promise<{ backupPath: string | null }> {
  await mkdir(dirname(path), { recursive: true })
  let backupPath: string | null = null
  if (options.keepBackup && (await exists(path))) {
    backupPath = `${path}.${timestamp()}.bak`
    await copyFile(path, backupPath)
  }
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  const handle = await open(tmp, 'w')
  try {
    await handle.writeFile(content)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  return { backupPath }
}

export { timestamp }
