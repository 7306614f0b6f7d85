import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { MIGRATIONS } from './migrations'

export type Db = Database.Database

export interface OpenDbOptions {
  /** Path to a better-sqlite3 binary built for another ABI (Electron); see issue on packaging. */
  nativeBinding?: string
}

/** How each connection was opened: another thread opening the same file needs the same binary. */
const openedWith = new WeakMap<Db, OpenDbOptions>()

export function openOptions(db: Db): OpenDbOptions {
  return openedWith.get(db) ?? {}
}

/** Opens (creating if needed) the app database and brings its schema up to date. */
export function openDb(file: string, options: OpenDbOptions = {}): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {})
  openedWith.set(db, options)
  // WAL: readers (the grid) never wait on the writer (a scan or an inference batch).
  db.pragma('journal_mode = WAL')
  // NORMAL is durable across application crashes in WAL mode; only a power cut can lose the
  // last transactions, and never corrupts the file.
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  // 64 MB of pages kept in memory (SQLite's default is 2 MB): at 1M samples the review metrics and
  // the grid's decorations look up thousands of rows scattered over a 1.3 GB file, and with 2 MB
  // each lookup read its page again from the OS (issue 19, BENCH_SCALE_ONLY=metrics npm run
  // bench:scale: getReviewMetrics 109 → 79 ms, medians of 7; no grid query slower). Pages are
  // allocated as they are read, so a small dataset never uses it.
  db.pragma('cache_size = -65536')
  migrate(db)
  return db
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > MIGRATIONS.length) {
    throw new Error(
      `This database was written by a newer PokerFace Studio (schema ${current}, this version knows ${MIGRATIONS.length}). ` +
        'Update the app, or point it at another data folder with --data-dir.'
    )
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v])
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
}

export function nowIso(): string {
  return new Date().toISOString()
}
