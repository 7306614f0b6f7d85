import { readdir, realpath, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { ScanProblem } from '@shared/types'
import { isPathInside } from '../paths'
import { extensionOf, IMAGE_EXTENSIONS } from './layout'

export interface FoundFile {
  relPath: string
  absPath: string
  size: number
  mtimeMs: number
}

/**
 * Lists every image-named file under `root` (recursively, sorted, '/'-separated relative paths).
 * Hidden entries are skipped; other files and unreadable folders become problems, never errors,
 * so one bad corner of a dataset cannot stop the scan. Symbolic links are followed only while
 * they stay inside the dataset root. The other files are listed too (`others`): some of them are
 * label files.
 */
export async function listImageFiles(
  root: string
): Promise<{ files: FoundFile[]; others: FoundFile[]; problems: ScanProblem[] }> {
  const files: FoundFile[] = []
  const others: FoundFile[] = []
  const problems: ScanProblem[] = []
  const pending: string[] = ['']
  while (pending.length > 0) {
    const relDir = pending.pop() as string
    let entries
    try {
      entries = await readdir(join(root, relDir), { withFileTypes: true })
    } catch (err) {
      problems.push({ relPath: relDir || '.', kind: 'error', reason: `cannot read folder: ${describeFsError(err)}` })
      continue
    }
    const statJobs: Promise<void>[] = []
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue
      const relPath = relDir ? `${relDir}/${entry.name}` : entry.name
      const absPath = join(root, relPath)
      statJobs.push(
        (async () => {
          let isDir = entry.isDirectory()
          let isFile = entry.isFile()
          if (entry.isSymbolicLink()) {
            try {
              const target = await realpath(absPath)
              if (!isPathInside(root, target)) {
                problems.push({ relPath, kind: 'ignored', reason: 'symbolic link leads outside the dataset folder' })
                return
              }
              const s = await stat(target)
              isDir = s.isDirectory()
              isFile = s.isFile()
            } catch (err) {
              problems.push({ relPath, kind: 'error', reason: `broken link: ${describeFsError(err)}` })
              return
            }
          }
          if (isDir) {
            pending.push(relPath)
            return
          }
          if (!isFile) return
          const isImage = IMAGE_EXTENSIONS.has(extensionOf(entry.name))
          if (!isImage) {
            problems.push({
              relPath,
              kind: 'ignored',
              reason: `not an image file (${extensionOf(entry.name) || 'no extension'})`
            })
          }
          try {
            const s = await stat(absPath)
            ;(isImage ? files : others).push({ relPath, absPath, size: s.size, mtimeMs: Math.trunc(s.mtimeMs) })
          } catch (err) {
            if (isImage) problems.push({ relPath, kind: 'error', reason: `cannot read: ${describeFsError(err)}` })
          }
        })()
      )
    }
    await Promise.all(statJobs)
  }
  const byPath = (a: { relPath: string }, b: { relPath: string }): number =>
    a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0
  files.sort(byPath)
  others.sort(byPath)
  problems.sort(byPath)
  return { files, others, problems }
}

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'ENOENT') return 'no longer exists'
  if (code === 'EISDIR') return 'is a folder'
  return (err as Error)?.message ?? String(err)
}
