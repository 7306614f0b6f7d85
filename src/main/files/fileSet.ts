import { lstat, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { resolveInside } from '../paths'
import { isProcessAlive, keepBackupOf, writeFileAtomic } from './atomicWrite'

/**
 * Files that are only right together — a FERPlus export's Train, Valid and Test label.csv — land
 * as a set: all are written to a staging folder inside the target folder (same file system, so
 * moving them is a rename), the replaced ones are backed up, and then a journal is written. The
 * journal is the commit point: a process killed before it leaves the old set untouched, one
 * killed after it leaves a set the next export into that folder completes. No reader is left
 * with Train and Valid from one export and Test from another.
 */

export interface SetFile {
  /** '/'-separated, relative to the target folder. */
  relPath: string
  /** The contents, or the pieces of them to write one after another. */
  bytes: string | Uint8Array | Uint8Array[]
}

interface Journal {
  version: 1
  relPaths: string[]
  backups: string[]
}

/** `.pokerface-export-<pid>-<random>`: the pid tells a set in progress from one whose writer died. */
const STAGING = /^\.pokerface-export-(\d+)-[0-9a-z]+$/
const JOURNAL = 'journal.json'
/** This process's sets being written now: its own pid is alive, so the pid cannot tell. */
const inProgress = new Set<string>()
const FILES = 'files'

function stagedPath(staging: string, relPath: string): string {
  return join(staging, FILES, ...relPath.split('/'))
}

function targetPath(outDir: string, relPath: string): string {
  const path = resolveInside(outDir, relPath)
  if (!path) throw new Error(`Refused: ${relPath} would be written outside ${outDir}`)
  return path
}

async function writeDurably(path: string, bytes: SetFile['bytes']): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const handle = await open(path, 'wx')
  try {
    if (Array.isArray(bytes)) for (const chunk of bytes) await handle.writeFile(chunk)
    else await handle.writeFile(bytes)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function isFile(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => null))?.isFile() ?? false
}

/**
 * Moves every staged file still in the staging folder onto its target, then removes the folder.
 * Safe to run again after being killed halfway: a file already moved is no longer staged.
 */
async function applyJournal(outDir: string, staging: string, journal: Journal): Promise<void> {
  for (const relPath of journal.relPaths) {
    const target = targetPath(outDir, relPath)
    await mkdir(dirname(target), { recursive: true })
    try {
      await rename(stagedPath(staging, relPath), target)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err // ENOENT: moved before the kill
    }
  }
  // The journal goes first: a staging folder without one is rolled back, and nothing is left to roll back.
  await rm(join(staging, JOURNAL), { force: true })
  await rm(staging, { recursive: true, force: true })
}

export interface Recovered {
  /** Sets whose journal was written: their files were moved into place now. */
  completed: string[][]
  /** Staging folders of exports killed before their commit point, removed; their targets were never touched. */
  rolledBack: number
}

/**
 * Finishes what exports into `outDir` killed midway left: completes a committed set, removes an
 * uncommitted one. Sets whose writer is still running are left to it.
 */
export async function recoverInterruptedSets(outDir: string): Promise<Recovered> {
  const recovered: Recovered = { completed: [], rolledBack: 0 }
  const entries = await readdir(outDir, { withFileTypes: true }).catch(() => [])
  for (const entry of entries) {
    const m = STAGING.exec(entry.name)
    if (!m || !entry.isDirectory()) continue
    const staging = join(outDir, entry.name)
    const pid = Number(m[1])
    if (pid === process.pid ? inProgress.has(staging) : isProcessAlive(pid)) continue
    let text: string | null = null
    try {
      text = await readFile(join(staging, JOURNAL), 'utf8')
    } catch {
      // no journal: killed before the commit point
    }
    if (text === null) {
      await rm(staging, { recursive: true, force: true })
      recovered.rolledBack++
      continue
    }
    let journal: Journal
    try {
      journal = JSON.parse(text) as Journal
      if (journal.version !== 1 || !Array.isArray(journal.relPaths)) throw new Error('unknown journal version')
    } catch (err) {
      throw new Error(
        `An interrupted export in ${outDir} cannot be completed (${(err as Error).message}). Its files are kept in ` +
          `${staging}; move what you need out of it and delete it, then export again.`
      )
    }
    await applyJournal(outDir, staging, journal)
    recovered.completed.push(journal.relPaths)
  }
  return recovered
}

/**
 * Writes every file of the set into `outDir`, replacing existing ones (each kept as a backup),
 * as one change: see the top of this file. Returns the written paths and the backups made.
 */
export async function writeFileSet(outDir: string, files: SetFile[]): Promise<{ files: string[]; backups: string[] }> {
  await mkdir(outDir, { recursive: true })
  await recoverInterruptedSets(outDir)
  const targets = files.map((f) => targetPath(outDir, f.relPath))
  for (const target of targets) {
    const found = await lstat(target).catch(() => null)
    if (found && !found.isFile()) throw new Error(`Refused: ${target} exists and is not a file; nothing was written.`)
  }
  const staging = join(outDir, `.pokerface-export-${process.pid}-${Math.random().toString(36).slice(2)}`)
  inProgress.add(staging)
  try {
    for (const f of files) await writeDurably(stagedPath(staging, f.relPath), f.bytes)
    // Backups before the commit point: a kill here leaves at most copies of files that did not change.
    const backups: string[] = []
    for (const target of targets) if (await isFile(target)) backups.push(await keepBackupOf(target))
    const journal: Journal = { version: 1, relPaths: files.map((f) => f.relPath), backups }
    await writeFileAtomic(join(staging, JOURNAL), JSON.stringify(journal), { keepBackup: false })
    await applyJournal(outDir, staging, journal)
    return { files: targets, backups }
  } catch (err) {
    // Failed in this process (not killed): before the commit point nothing was replaced, so
    // the staging folder can go; after it, the journal stays for the next export to complete.
    if (!(await isFile(join(staging, JOURNAL)))) {
      await rm(staging, { recursive: true, force: true })
      throw err
    }
    throw new Error(
      `The export into ${outDir} stopped while moving its files into place (${(err as Error).message}). ` +
        'The next export into this folder completes the set; until then some of its files are still the old ones.'
    )
  } finally {
    inProgress.delete(staging)
  }
}
