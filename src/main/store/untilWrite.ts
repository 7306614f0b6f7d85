import type { Db } from './db'

/**
 * Values worth keeping between grid requests (a filter's total count takes 0.1-1 s at 1M samples,
 * issue 19) but only while the database is unchanged. "Unchanged" is asked of SQLite itself rather
 * than of every writer: total_changes() moves with each row this connection inserts, updates or
 * deletes (triggers and cascades included), and PRAGMA data_version moves when another connection
 * commits. Both still ⇒ no row has changed, so the kept value is still the answer.
 */
const kept = new WeakMap<Db, { version: string; values: Map<string, unknown> }>()

function version(db: Db): string {
  const changes = db.prepare('SELECT total_changes()').pluck().get() as number
  return `${db.pragma('data_version', { simple: true }) as number}:${changes}`
}

export function untilWrite<T>(db: Db, key: string, compute: () => T): T {
  const now = version(db)
  let entry = kept.get(db)
  if (!entry || entry.version !== now) {
    entry = { version: now, values: new Map() }
    kept.set(db, entry)
  }
  if (entry.values.has(key)) return entry.values.get(key) as T
  // Bounded: a session that tries hundreds of filters between two writes starts over.
  if (entry.values.size >= 256) entry.values.clear()
  const value = compute()
  entry.values.set(key, value)
  return value
}
