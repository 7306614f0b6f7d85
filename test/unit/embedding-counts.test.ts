// Issues 17/19: how many of a dataset's faces have an embedding (and a prediction but none) is kept
// in embedding_coverage, and its triggers forget it when anything it counts changes, on any
// connection. At 1M faces each count took 12 s; the map, "more like this" and every ranking ask it.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDb, type Db } from '@main/store/db'
import { datasetEmbeddings, embeddingCounts, gatherRows } from '@main/store/embeddings'
import { tempDir } from '../helpers/data'
import { planOf, prepared } from '../helpers/sqlPlans'

const M = 'm'

function seed(db: Db): void {
  db.prepare(
    `INSERT INTO datasets (id, root, name, created_at, opened_at) VALUES (1, '/a', 'a', 'x', 'x'), (2, '/b', 'b', 'x', 'x')`
  ).run()
  const sample = db.prepare(
    `INSERT INTO samples (dataset_id, rel_path, size, mtime_ms, content_hash, status) VALUES (?, ?, 1, 1, ?, ?)`
  )
  // Dataset 1: h0..h5 present (h5 twice: two files, one content), h6 missing.
  for (let i = 0; i < 6; i++) sample.run(1, `f${i}.png`, `h${i}`, 'present')
  sample.run(1, 'copy-of-f5.png', 'h5', 'present')
  sample.run(1, 'gone.png', 'h6', 'missing')
  sample.run(2, 'other.png', 'h0', 'present')
  for (let i = 0; i < 7; i++) predict(db, `h${i}`)
  // Embeddings for h0..h2 and h6 (missing sample); h3..h5 were predicted without one.
  for (const h of ['h0', 'h1', 'h2', 'h6']) embed(db, h)
}

function predict(db: Db, hash: string, model = M): void {
  db.prepare(
    `INSERT OR REPLACE INTO predictions (content_hash, model_id, probabilities, predicted_label, confidence, created_at)
     VALUES (?, ?, '[1]', 'neutral', 1, 'x')`
  ).run(hash, model)
}

function embed(db: Db, hash: string, model = M): void {
  db.prepare('INSERT OR REPLACE INTO embeddings (content_hash, model_id, dim, vector) VALUES (?, ?, 2, ?)').run(
    hash,
    model,
    Buffer.alloc(8)
  )
}

const kept = (db: Db): number => db.prepare('SELECT count(*) FROM embedding_coverage').pluck().get() as number

describe('embedding counts (issues 17 and 19)', () => {
  it('counts present faces with and without an embedding, and keeps the counts', () => {
    const db = openDb(':memory:')
    seed(db)
    expect(embeddingCounts(db, 1, M)).toEqual({ embeddings: 3, missing: 4 })
    expect(embeddingCounts(db, 2, M)).toEqual({ embeddings: 1, missing: 0 })
    expect(kept(db)).toBe(2)
    // Kept: a row changed behind the triggers' back is what the next answer says.
    db.prepare('UPDATE embedding_coverage SET missing = 99 WHERE dataset_id = 1').run()
    expect(embeddingCounts(db, 1, M).missing).toBe(99)
  })

  it('forgets the counts when a sample, an embedding or a prediction they count changes', () => {
    const db = openDb(':memory:')
    seed(db)
    const changes: [string, () => void, { embeddings: number; missing: number }][] = [
      ['an embedding added', () => embed(db, 'h3'), { embeddings: 4, missing: 3 }],
      [
        'a sample gone missing',
        () => db.prepare(`UPDATE samples SET status = 'missing' WHERE content_hash = 'h0' AND dataset_id = 1`).run(),
        { embeddings: 3, missing: 3 }
      ],
      [
        'a sample found again',
        () => db.prepare(`UPDATE samples SET status = 'present' WHERE content_hash = 'h6'`).run(),
        { embeddings: 4, missing: 3 }
      ],
      [
        'a sample added',
        () =>
          db
            .prepare(`INSERT INTO samples (dataset_id, rel_path, size, mtime_ms, content_hash) VALUES (1, 'new.png', 1, 1, 'h1')`)
            .run(),
        { embeddings: 5, missing: 3 }
      ],
      [
        'a sample removed',
        () => db.prepare(`DELETE FROM samples WHERE rel_path = 'copy-of-f5.png'`).run(),
        { embeddings: 5, missing: 2 }
      ],
      [
        'a file changed',
        () => db.prepare(`UPDATE samples SET content_hash = 'h2' WHERE rel_path = 'f4.png'`).run(),
        { embeddings: 6, missing: 1 }
      ],
      [
        'an embedding removed',
        () => db.prepare(`DELETE FROM embeddings WHERE content_hash = 'h1'`).run(),
        { embeddings: 4, missing: 3 }
      ],
      [
        'a prediction removed',
        () => db.prepare(`DELETE FROM predictions WHERE content_hash = 'h5'`).run(),
        { embeddings: 4, missing: 2 }
      ],
      ['a prediction added', () => predict(db, 'h5'), { embeddings: 4, missing: 3 }]
    ]
    for (const [what, change, after] of changes) {
      embeddingCounts(db, 1, M)
      expect(kept(db), what).toBeGreaterThan(0)
      change()
      expect(db.prepare('SELECT count(*) FROM embedding_coverage WHERE dataset_id = 1').pluck().get(), what).toBe(0)
      expect(embeddingCounts(db, 1, M), what).toEqual(after)
    }
  })

  it("another model's embeddings and another dataset's samples leave the counts kept", () => {
    const db = openDb(':memory:')
    seed(db)
    embeddingCounts(db, 1, M)
    embed(db, 'h3', 'other-model')
    predict(db, 'h3', 'other-model')
    db.prepare(
      `INSERT INTO samples (dataset_id, rel_path, size, mtime_ms, content_hash) VALUES (2, 'more.png', 1, 1, 'h3')`
    ).run()
    expect(db.prepare('SELECT count(*) FROM embedding_coverage WHERE dataset_id = 1').pluck().get()).toBe(1)
  })

  it("counts from the model's rows in hash order, each sample found in the hash index alone (12 s a count at 1M otherwise)", () => {
    const db = openDb(':memory:')
    seed(db)
    const { statements } = prepared(db, () => embeddingCounts(db, 1, M))
    const counts = statements.filter((sql) => sql.includes('count(*)'))
    expect(counts).toHaveLength(2)
    for (const sql of counts) {
      expect(planOf(db, sql), sql).toMatch(/^SCAN [ep]\b/)
      expect(planOf(db, sql), sql).toContain('SEARCH s USING COVERING INDEX samples_by_hash')
    }
  })

  it("sees another connection's writes", async () => {
    const file = join(await tempDir('pf-embed-counts-'), 'pokerface.sqlite')
    const app = openDb(file)
    seed(app)
    expect(embeddingCounts(app, 1, M).embeddings).toBe(3)
    const run = openDb(file) // as an inference run in another process writes
    embed(run, 'h4')
    run.close()
    expect(embeddingCounts(app, 1, M)).toEqual({ embeddings: 4, missing: 3 })
    app.close()
  })

  it('reads the embeddings in hash order and answers them in sample id order, one row a sample', () => {
    const db = openDb(':memory:')
    seed(db)
    // Hashes in the opposite order to the samples' ids; each vector names its hash.
    for (const [hash, value] of [
      ['h0', 0],
      ['h1', 1],
      ['h2', 2],
      ['h5', 5],
      ['h6', 6]
    ] as const)
      db.prepare('INSERT OR REPLACE INTO embeddings (content_hash, model_id, dim, vector) VALUES (?, ?, 2, ?)').run(
        hash,
        M,
        Buffer.from(new Float32Array([value, -value]).buffer)
      )
    db.prepare(`UPDATE samples SET content_hash = 'z' || content_hash WHERE dataset_id = 1 AND rel_path = 'f0.png'`).run()
    db.prepare(`INSERT INTO embeddings (content_hash, model_id, dim, vector) VALUES ('zh0', ?, 2, ?)`).run(
      M,
      Buffer.from(new Float32Array([9, -9]).buffer)
    )
    const got = datasetEmbeddings(db, 1, M)
    const want = db
      .prepare(
        `SELECT id, content_hash FROM samples WHERE dataset_id = 1 AND status = 'present' AND content_hash IN ('zh0', 'h1', 'h2', 'h5') ORDER BY id`
      )
      .raw()
      .all() as [number, string][]
    expect(Array.from(got.sampleIds)).toEqual(want.map(([id]) => id))
    expect(got.hashes).toEqual(want.map(([, hash]) => hash))
    const value = (hash: string): number => (hash === 'zh0' ? 9 : Number(hash.slice(1)))
    expect(Array.from(got.vectors)).toEqual(want.flatMap(([, hash]) => [value(hash), -value(hash)]))
  })

  it('gathers rows in place along any permutation', () => {
    let seedState = 3
    const random = (): number => (seedState = (seedState * 1664525 + 1013904223) >>> 0) / 2 ** 32
    for (const n of [0, 1, 2, 7, 50]) {
      const dim = 3
      const rows = Float32Array.from({ length: n * dim }, (_, i) => i)
      const order = Uint32Array.from({ length: n }, (_, i) => i)
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1))
        ;[order[i], order[j]] = [order[j], order[i]]
      }
      const want = Array.from(order).flatMap((from) => Array.from(rows.subarray(from * dim, (from + 1) * dim)))
      gatherRows(rows, dim, order)
      expect(Array.from(rows)).toEqual(want)
    }
  })
})
