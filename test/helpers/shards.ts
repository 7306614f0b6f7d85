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
 * bytes' hash), embeddings (their bytes, hex), each sample's nearest neighbours by path, and the
 * label-issue ranking by sample path with its neighbour score.
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
        `SELECT s.rel_path, r.model_id, r.predicted_label, r.flagged, r.score, r.suggested_label,
                r.neighbour_disagreement, r.combined FROM review_scores r
           JOIN samples s ON s.id = r.sample_id ORDER BY s.rel_path`
      )
      .all()
    const embeddings = db
      .prepare('SELECT content_hash, model_id, dim, hex(vector) AS vector FROM embeddings ORDER BY content_hash, model_id')
      .all()
    return {
      predictions,
      failures,
      ranking,
      embeddings,
      neighbours: neighbourPaths(db),
      sheets: sheetHashes(join(dataDir, 'cache', 'generated'))
    }
  } finally {
    db.close()
  }
}

/**
 * Each sample's stored neighbour list as paths and similarities (sample ids are the store's own),
 * per model: path → [[neighbour path, similarity], …], nearest first.
 */
function neighbourPaths(db: Database.Database): Record<string, Record<string, [string, number][]>> {
  const pathOf = new Map(
    (db.prepare('SELECT id, rel_path FROM samples').all() as { id: number; rel_path: string }[]).map((r) => [r.id, r.rel_path])
  )
  const ints = (b: Buffer) => Array.from({ length: b.byteLength / 4 }, (_, i) => b.readInt32LE(i * 4))
  const floats = (b: Buffer) => Array.from({ length: b.byteLength / 4 }, (_, i) => b.readFloatLE(i * 4))
  const out: Record<string, Record<string, [string, number][]>> = {}
  const rows = db.prepare('SELECT model_id, k, sample_ids, neighbours, similarities FROM neighbour_lists').all() as {
    model_id: string
    k: number
    sample_ids: Buffer
    neighbours: Buffer
    similarities: Buffer
  }[]
  for (const r of rows) {
    const ids = ints(r.sample_ids)
    const neighbours = ints(r.neighbours)
    const similarities = floats(r.similarities)
    const lists: Record<string, [string, number][]> = {}
    ids.forEach((id, i) => {
      const list: [string, number][] = []
      for (let j = i * r.k; j < (i + 1) * r.k; j++)
        if (neighbours[j] >= 0) list.push([pathOf.get(neighbours[j]) ?? '?', similarities[j]])
      lists[pathOf.get(id) ?? '?'] = list
    })
    out[r.model_id] = lists
  }
  return out
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
