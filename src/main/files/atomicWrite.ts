import { constants } from 'node:fs'
import { copyFile, link, mkdir, open, readdir, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { backupNameFor, parseTempName, tempNameFor } from './writeNames'

/**
 * The one way the app replaces a file: readers see the old content or the whole new content,
 * a replaced file can be kept as a uniquely named backup, and what a killed writer left behind
 * (its temporaries) is removed by the next process that writes there.
 */

/** True while a process with this pid exists (EPERM: it exists, but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function tempPathFor(target: string): string {
  return tempNameFor(target, process.pid, Math.random().toString(36).slice(2))
}

/**
 * Removes the temporaries in `dir` (and below, when recursive) whose writer is gone. A temporary
 * of a live process is left alone: it may be a write in flight, ours or another app's. A pid
 * reused by an unrelated process only delays the cleanup to a later start.
 */
export async function sweepStaleTemporaries(dir: string, options: { recursive: boolean }): Promise<string[]> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    return [] // nothing written here yet
  }
  const removed: string[] = []
  for (const entry of entries) {
    const path = join(dir, entry.name)
    // Dirent.isDirectory() is false for a symlink: the sweep never leaves the folder it was given.
    if (entry.isDirectory()) {
      if (options.recursive) removed.push(...(await sweepStaleTemporaries(path, options)))
      continue
    }
    const temp = parseTempName(entry.name)
    if (!entry.isFile() || !temp || isProcessAlive(temp.pid)) continue
    await rm(path, { force: true })
    removed.push(path)
  }
  return removed
}

/** Folders already swept by this process: once per folder, so writing 10,000 crops is not 10,000 listings. */
const sweptDirs = new Set<string>()

async function sweepOnce(dir: string): Promise<void> {
  if (sweptDirs.has(dir)) return
  sweptDirs.add(dir)
  await sweepStaleTemporaries(dir, { recursive: false })
}

export const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK'])
const MAX_BACKUP_ATTEMPTS = 1000

/**
 * Copies `path` to a backup name no other backup has, and returns it. The copy is made under a
 * temporary name and then linked into place, so a backup is never half a file, and link (unlike
 * rename) refuses to replace an existing backup. Where the file system has no hard links (FAT,
 * some network shares) it copies with COPYFILE_EXCL, which is as unique, if not as atomic.
 */
export async function keepBackupOf(path: string, now = new Date()): Promise<string> {
  const tmp = tempPathFor(path)
  try {
    await copyFile(path, tmp)
    let linkable = true
    for (let attempt = 1; attempt <= MAX_BACKUP_ATTEMPTS; attempt++) {
      const candidate = backupNameFor(path, now, attempt)
      try {
        if (linkable) await link(tmp, candidate)
        else await copyFile(tmp, candidate, constants.COPYFILE_EXCL)
        return candidate
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? ''
        if (linkable && NO_HARD_LINKS.has(code)) {
          linkable = false
          attempt--
        } else if (code !== 'EEXIST') throw err
      }
    }
    throw new Error(`${MAX_BACKUP_ATTEMPTS} backups of ${basename(path)} already exist at ${now.toISOString()}`)
  } finally {
    await rm(tmp, { force: true })
  }
}

/** Writes `content` to a new temporary beside `target` and flushes it to disk; returns its path. */
async function writeTemporary(target: string, content: string | Uint8Array): Promise<string> {
  const tmp = tempPathFor(target)
  const handle = await open(tmp, 'w')
  let written = false
  try {
    await handle.writeFile(content)
    await handle.sync()
    written = true
  } finally {
    await handle.close()
    if (!written) await rm(tmp, { force: true }) // a full disk must not leave half a file behind
  }
  return tmp
}

/**
 * Writes a file so that readers see either the old content or the whole new content, never a
 * part: write a temporary file beside it, flush it to disk, rename over. When a file is replaced,
 * a copy of the old one is kept first (see keepBackupOf) and its path returned.
 */
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  options: { keepBackup: boolean }
): Promise<{ backupPath: string | null }> {
  const dir = dirname(path)
  await mkdir(dir, { recursive: true })
  await sweepOnce(dir)
  let backupPath: string | null = null
  if (options.keepBackup) {
    backupPath = await keepBackupOf(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null // nothing to replace
      throw err
    })
  }
  const tmp = await writeTemporary(path, content)
  try {
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  return { backupPath }
}
