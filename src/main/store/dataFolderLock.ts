import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { ApiError } from '@shared/api'

/**
 * One process at a time runs inference into a data folder: two runs would both compute every
 * image and race on the cache. The lock is an exclusive SQLite transaction on a file of its own
 * (never the database, which the review keeps using meanwhile). The operating system holds it
 * and drops it when the process ends, however it ends: a lock left by a killed run is simply
 * free, and a pid reused after a reboot or in a container can never keep it taken, as a pid
 * file could. A second process is refused at once, with who holds the lock; it does not wait,
 * because a run may take hours and a command that hangs silently looks broken.
 */

export const LOCK_FILE = 'pokerface.lock'
/** Who holds the lock, for the message to the next one: the lock itself cannot be read while held. */
export const HOLDER_FILE = 'pokerface.lock-holder.json'

export interface LockHolder {
  pid: number
  host: string
  /** What it is doing, e.g. "pokerface infer /data/ferplus". */
  purpose: string
  since: string
}

export class DataFolderBusyError extends ApiError {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | null
  ) {
    const who = holder
      ? `${holder.purpose} (pid ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`}, since ${holder.since})`
      : 'another process'
    super(
      'bad_request',
      `The data folder ${dataDir} is in use by ${who}: one inference run at a time writes it. ` +
        'Wait for that run to finish or stop it, or use another --data-dir.'
    )
    this.name = 'DataFolderBusyError'
  }
}

export interface DataFolderLock {
  release(): void
}

/** Locks held by this process, by folder: its own runs share one (one per dataset, as before). */
const held = new Map<string, { db: Database.Database; users: number }>()

function readHolder(dataDir: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(join(dataDir, HOLDER_FILE), 'utf8')) as LockHolder
  } catch {
    return null // the holder is between taking the lock and writing its name
  }
}

/**
 * Takes the data folder's lock for `purpose`, or throws DataFolderBusyError naming the process
 * that has it. Release it when the run ends; the process ending releases it too.
 */
export function lockDataFolder(dataDir: string, purpose: string): DataFolderLock {
  const key = resolve(dataDir)
  let entry = held.get(key)
  if (!entry) {
    mkdirSync(key, { recursive: true })
    const db = new Database(join(key, LOCK_FILE), { timeout: 0 })
    try {
      db.exec('BEGIN EXCLUSIVE')
    } catch (err) {
      db.close()
      if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new DataFolderBusyError(key, readHolder(key))
      throw err
    }
    const holder: LockHolder = { pid: process.pid, host: hostname(), purpose, since: new Date().toISOString() }
    writeFileSync(join(key, HOLDER_FILE), JSON.stringify(holder) + '\n')
    entry = { db, users: 0 }
    held.set(key, entry)
  }
  entry.users++
  const taken = entry
  let released = false
  return {
    release() {
      if (released) return
      released = true
      if (--taken.users > 0) return
      held.delete(key)
      rmSync(join(key, HOLDER_FILE), { force: true })
      taken.db.exec('ROLLBACK')
      taken.db.close()
    }
  }
}
