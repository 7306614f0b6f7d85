import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { ROOT, testEnv } from './browser'

/** The built `pokerface` command (out/main/cli.js). */
export const CLI = join(ROOT, 'out', 'main', 'cli.js')

export function pokerface(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 170_000, env: { ...testEnv(), ...env } })
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    json: () => JSON.parse(r.stdout.trim().split('\n').at(-1) as string)
  }
}

/**
 * What a store holds that a run or a merge writes, in a form two stores can be compared by:
 * predictions (every column but the time they were made), failures, generated sheets (by their
 * bytes' hash) and the label-issue ranking by sample path.
 */
export function storeSnapshot(dataDir: string) {
  const db = new Database(join(dataDir, 'pokerface.sqlite'), { readonly: true, fileMustExist: true })
  try {
    const predictions = db
      .prepare(
        `SELECT content_hash, model_id, probabilities, predicted_label, confidence, attention, generated, emotion_intensity
           FROM predictions ORDER BY content_hash, model_id`
      )
      .all()
    const failures = db.prepare('SELECT content_hash, model_id, reason FROM inference_errors ORDER BY content_hash').all()
    const ranking = db
      .prepare(
        `SELECT s.rel_path, r.model_id, r.predicted_label, r.flagged, r.score, r.suggested_label FROM review_scores r
           JOIN samples s ON s.id = r.sample_id ORDER BY s.rel_path`
      )
      .all()
    return { predictions, failures, ranking, sheets: sheetHashes(join(dataDir, 'cache', 'generated')) }
  } finally {
    db.close()
  }
}

/** Every generated sheet under a cache folder: path below it → SHA-256 of its bytes. */
function sheetHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  if (!existsSync(dir)) return out
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    out[path.slice(dir.length + 1)] = createHash('sha256').update(readFileSync(path)).digest('hex')
  }
  return out
}

/** Rows of the predictions table with their times, for "nothing changed" checks. */
export function predictionRowsWithTimes(dataDir: string): unknown[] {
  const db = new Database(join(dataDir, 'pokerface.sqlite'), { readonly: true, fileMustExist: true })
  try {
    return db.prepare('SELECT * FROM predictions ORDER BY content_hash, model_id').all()
  } finally {
    db.close()
  }
}
