import { readdirSync, statSync, type Dirent, type Stats } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { join } from 'node:path'
import type { ScanProblem } from '@shared/types'
import { isPathInside } from '../paths'
import { eachLimited } from './eachLimited'
import { extensionOf, IMAGE_EXTENSIONS } from './layout'
import { alreadyListedReason, decodeName, hiddenReason, notUtf8Reason, readableName, specialFileReason } from './skipReasons'

export interface FoundFile {
  relPath: string
  absPath: string
  size: number
  mtimeMs: number
  /** When the file's inode last changed (ctime): also moves on chmod, a rename or a copy with kept times. */
  changedMs: number
}

export interface Listing {
  files: FoundFile[]
  others: FoundFile[]
  problems: ScanProblem[]
}

export interface ListOptions {
  /** Aborting stops the walk before the next folder, rejecting with the signal's reason. */
  signal?: AbortSignal
}

/** Entries of one folder looked at at once: enough to hide the latency of stat, few enough for any disk. */
const LOOKUP_CONCURRENCY = 16
/**
 * Regular files are stat'ed synchronously, this many between two turns of the event loop. A
 * stat of a file the kernel has cached takes microseconds, its promise and thread-pool round trip
 * more than that: listing 300,000 files took 4.4-6.7 s with promises and 2.7 s this way
 * (`npm run bench:scale`, reopen). A batch holds the loop for about a millisecond.
 */
const FILE_STAT_BATCH = 256

/** A folder's identity, whatever path reached it: links and bind mounts share it, names do not. */
function folderKey(s: Stats): string {
  return `${s.dev}:${s.ino}`
}

/** What one entry of a folder turned out to be, in the order of the folder's sorted names. */
type Seen =
  | { kind: 'file'; file: FoundFile }
  | { kind: 'folder'; relPath: string; key: string }
  | { kind: 'linkedFolder'; relPath: string; key: string }
  | { kind: 'problem'; problem: ScanProblem }

/**
 * Lists every image-named file under `root` (recursively, sorted, '/'-separated relative paths).
 * Every entry it does not use is listed as a problem with its reason (hidden, not an image name,
 * not a regular file, a name that is not UTF-8, a link that leads outside or back to a folder
 * already listed), never as an error that stops the scan. The other regular files are listed
 * too (`others`): some of them are label files.
 *
 * Each real folder is listed once, known by device and inode, so a link loop (`up -> ..`,
 * `a -> .`) cannot multiply or hang the walk. Real folders are all listed before any folder
 * reached through a link, so when a folder has both, its own path is the one that is used.
 * Nothing here opens a file: only names and `stat`.
 */
export async function listImageFiles(root: string, { signal }: ListOptions = {}): Promise<Listing> {
  const listing: Listing = { files: [], others: [], problems: [] }
  const listed = new Map<string, string>([[folderKey(await stat(root)), '']])
  const realFolders: string[] = ['']
  const linkedFolders: { relPath: string; key: string }[] = []
  while (realFolders.length > 0 || linkedFolders.length > 0) {
    signal?.throwIfAborted()
    let relDir = realFolders.pop()
    if (relDir === undefined) {
      const link = linkedFolders.shift() as { relPath: string; key: string }
      const first = listed.get(link.key)
      if (first !== undefined) {
        listing.problems.push({ relPath: link.relPath, kind: 'ignored', reason: alreadyListedReason(first) })
        continue
      }
      listed.set(link.key, link.relPath)
      relDir = link.relPath
    }
    for (const seen of await listFolder(root, relDir, signal)) {
      if (seen.kind === 'file') {
        const isImage = IMAGE_EXTENSIONS.has(extensionOf(seen.file.relPath))
        ;(isImage ? listing.files : listing.others).push(seen.file)
        if (!isImage) {
          const ext = extensionOf(seen.file.relPath)
          listing.problems.push({
            relPath: seen.file.relPath,
            kind: 'ignored',
            reason: `not an image file (${ext || 'no extension'})`
          })
        }
      } else if (seen.kind === 'problem') listing.problems.push(seen.problem)
      else if (seen.kind === 'linkedFolder') linkedFolders.push(seen)
      else {
        // A real folder met twice is a bind mount or a hard-linked folder: same rule as links.
        const first = listed.get(seen.key)
        if (first !== undefined) {
          listing.problems.push({ relPath: seen.relPath, kind: 'ignored', reason: alreadyListedReason(first) })
          continue
        }
        listed.set(seen.key, seen.relPath)
        realFolders.push(seen.relPath)
      }
    }
  }
  const byPath = (a: { relPath: string }, b: { relPath: string }): number =>
    a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0
  listing.files.sort(byPath)
  listing.others.sort(byPath)
  listing.problems.sort(byPath)
  return listing
}

/** The entries of one folder, each said what it is; problems instead of errors. */
async function listFolder(root: string, relDir: string, signal?: AbortSignal): Promise<Seen[]> {
  let entries: Dirent[]
  try {
    // Names as bytes: a name that is not UTF-8 would come back as text that names no file.
    // Synchronous like the files' stats below, for the same reason: AffectNet's 1,000 folders
    // waited about 1.8 s in all for the thread pool, and a folder's names take a millisecond.
    entries = readdirSync(join(root, relDir), { withFileTypes: true, encoding: 'buffer' }) as unknown as Dirent[]
  } catch (err) {
    return [
      {
        kind: 'problem',
        problem: { relPath: relDir || '.', kind: 'error', reason: `cannot read folder: ${describeFsError(err)}` }
      }
    ]
  }
  const nameBytes = (entry: Dirent): Buffer => entry.name as unknown as Buffer
  entries.sort((a, b) => Buffer.compare(nameBytes(a), nameBytes(b)))
  const within = (name: string): string => (relDir ? `${relDir}/${name}` : name)
  // Filled in name order; entries that need a stat get their slot now and their answer below.
  const seen: (Seen | null)[] = []
  const hidden: string[] = []
  const toLookUp: { entry: Dirent; relPath: string; at: number }[] = []
  for (const entry of entries) {
    const bytes = nameBytes(entry)
    const name = decodeName(bytes)
    if (name === null) {
      const relPath = within(readableName(bytes))
      seen.push({ kind: 'problem', problem: { relPath, kind: 'error', reason: notUtf8Reason(bytes, entry.isDirectory()) } })
    } else if (name.startsWith('.')) hidden.push(name)
    else if (entry.isDirectory() || entry.isFile() || entry.isSymbolicLink()) {
      toLookUp.push({ entry, relPath: within(name), at: seen.length })
      seen.push(null)
    } else seen.push({ kind: 'problem', problem: { relPath: within(name), kind: 'ignored', reason: specialFileReason(entry) } })
  }
  if (hidden.length > 0)
    seen.push({ kind: 'problem', problem: { relPath: relDir || '.', kind: 'ignored', reason: hiddenReason(hidden) } })
  const files = toLookUp.filter(({ entry }) => entry.isFile())
  for (let start = 0; start < files.length; start += FILE_STAT_BATCH) {
    if (start > 0) await nextTurn()
    signal?.throwIfAborted()
    for (const { entry, relPath, at } of files.slice(start, start + FILE_STAT_BATCH)) seen[at] = lookUpFile(root, relPath, entry)
  }
  await eachLimited(
    toLookUp.filter(({ entry }) => !entry.isFile()),
    LOOKUP_CONCURRENCY,
    async ({ entry, relPath, at }) => {
      seen[at] = await lookUp(root, relPath, entry)
    },
    signal
  )
  return seen.filter((s): s is Seen => s !== null)
}

const problemAt = (relPath: string, kind: ScanProblem['kind'], reason: string): Seen => ({
  kind: 'problem',
  problem: { relPath, kind, reason }
})

/** What an entry is, from its stat (followed through a link). */
function seenFromStats(relPath: string, absPath: string, entry: Dirent, s: Stats): Seen {
  if (s.isDirectory()) return { kind: entry.isSymbolicLink() ? 'linkedFolder' : 'folder', relPath, key: folderKey(s) }
  if (s.isFile())
    return {
      kind: 'file',
      file: { relPath, absPath, size: s.size, mtimeMs: Math.trunc(s.mtimeMs), changedMs: s.ctimeMs }
    }
  return problemAt(relPath, 'ignored', specialFileReason(s))
}

/** A folder entry that is a regular file (no link to resolve): one synchronous stat. */
function lookUpFile(root: string, relPath: string, entry: Dirent): Seen {
  const absPath = join(root, relPath)
  try {
    return seenFromStats(relPath, absPath, entry, statSync(absPath))
  } catch (err) {
    return problemAt(relPath, 'error', `cannot read: ${describeFsError(err)}`)
  }
}

/** A folder, a link or anything else: a link is resolved first and must stay inside the dataset. */
async function lookUp(root: string, relPath: string, entry: Dirent): Promise<Seen> {
  const absPath = join(root, relPath)
  let s: Stats
  try {
    if (entry.isSymbolicLink()) {
      const target = await realpath(absPath)
      if (!isPathInside(root, target)) return problemAt(relPath, 'ignored', 'symbolic link leads outside the dataset folder')
    }
    s = await stat(absPath)
  } catch (err) {
    const what = entry.isSymbolicLink() ? 'broken link' : 'cannot read'
    return problemAt(relPath, 'error', `${what}: ${describeFsError(err)}`)
  }
  return seenFromStats(relPath, absPath, entry, s)
}

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'ENOENT') return 'no longer exists'
  if (code === 'EISDIR') return 'is a folder'
  if (code === 'ELOOP') return 'too many levels of symbolic links'
  if (code === 'ENAMETOOLONG') return 'path too long'
  return (err as Error)?.message ?? String(err)
}
