import type { Db } from '@main/store/db'

/** What `run` returns, and the SQL of every statement it prepares on `db`. */
export function prepared<T>(db: Db, run: () => T): { result: T; statements: string[] } {
  const statements: string[] = []
  const prepare = db.prepare.bind(db)
  db.prepare = ((sql: string) => {
    statements.push(sql)
    return prepare(sql)
  }) as typeof db.prepare
  try {
    return { result: run(), statements }
  } finally {
    db.prepare = prepare
  }
}

/**
 * SQLite's plan for `sql`, one step a line, its parameters (`?` and `@name`) bound to NULL: the plan
 * does not depend on them.
 */
export function planOf(db: Db, sql: string): string {
  const names = [...new Set(Array.from(sql.matchAll(/@(\w+)/g), (m) => m[1]))]
  const positional = Array.from(sql.matchAll(/\?/g), () => null)
  const args = names.length > 0 ? [Object.fromEntries(names.map((n) => [n, null])), ...positional] : positional
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((p) => p.detail).join('\n')
}
