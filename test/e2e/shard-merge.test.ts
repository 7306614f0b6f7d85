/**
 * `pokerface infer --shard K/N` and `pokerface merge` on the committed face fixture, with the real
 * worker threads, ONNX model and SQLite files: four shards merged give the store one local run
 * gives (predictions, failures, poker faces, embeddings, neighbour lists and the ranking with its
 * neighbour score), merging is idempotent, and a bad file is refused with its reason and changes nothing.
 * The same flow under a real Slurm scheduler is test/e2e/slurm-array.test.ts.
 */
import { copyFile, cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { beforeAll, describe, expect, it } from 'vitest'
import { copyFaceFixture, tempDir } from '../helpers/data'
import { HAS_BUILD } from '../helpers/browser'
import { brokenModelCopy, embedAndGenerateModel, MICRO_MODEL } from '../helpers/models'
import { pokerface, predictionRowsWithTimes, storeSnapshot } from '../helpers/shards'

// Batch 1: onnxruntime's batched kernels round differently with the batch's size and company, so
// only one image per call makes "the same probabilities" exact rather than close (docs/cluster.md).
const OPTIONS = ['--batch', '1', '--threads', '1']
const MODEL_ID = 'pfvit-micro-embed-gen-test'

/** A copy of a shard file with `sql` run on it, for the refusals. */
async function editedShard(from: string, dir: string, name: string, sql: string): Promise<string> {
  const file = join(dir, name)
  await copyFile(from, file)
  const db = new Database(file)
  db.exec(sql)
  db.close()
  return file
}

describe('pokerface infer --shard and merge (real worker, real ONNX, real SQLite)', () => {
  // A model with poker faces and embeddings: a shard file carries both.
  let MODEL: string
  let RUN: string[]
  let dataset: string
  let local: string
  let shards: string[]
  let tmp: string

  beforeAll(async () => {
    if (!HAS_BUILD) throw new Error('no build in out/: run `npm run build` first (npm test does)')
    MODEL = await embedAndGenerateModel()
    RUN = ['--model', MODEL, ...OPTIONS]
    dataset = join(await tempDir('pf-shard-'), 'faces')
    await copyFaceFixture(dataset)
    // One image only the decoder finds broken: shards carry failures too.
    const good = await readFile(join(dataset, 'test', 'happy', 'sample1__face3.png'))
    const corrupt = Buffer.from(good)
    corrupt.fill(0x55, 45, good.length - 20)
    await writeFile(join(dataset, 'train', 'sad', 'corrupt.png'), corrupt)
    // An identical copy in another folder: one hash, one result, in one shard.
    await copyFile(join(dataset, 'test', 'happy', 'sample6__face1.png'), join(dataset, 'train', 'happy', 'copy.png'))

    local = await tempDir('pf-shard-local-')
    const run = pokerface(['infer', dataset, ...RUN, '--data-dir', local, '--json'])
    expect(run.code, run.stderr).toBe(0)

    const out = await tempDir('pf-shard-out-')
    // Each task's private store goes to $TMPDIR by default: one the test can look into.
    tmp = await tempDir('pf-shard-tmp-')
    shards = []
    for (let k = 0; k < 4; k++) {
      const file = join(out, `shard-${k}.pfshard`)
      const r = pokerface(['infer', dataset, '--shard', `${k}/4`, '--out', file, ...RUN], { TMPDIR: tmp })
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toMatch(new RegExp(`^shard ${k}/4: \\d+ images`, 'm'))
      // A task neither waits for the duplicate search nor lets it run: its store is thrown away.
      expect(r.stdout).not.toContain('Duplicates:')
      shards.push(file)
    }
  }, 600_000) // five real runs, on two cores shared with other work

  it('merges four shards into the store one local run makes, and merging again changes nothing', async () => {
    // The private stores are gone once their files are written; no temporaries are left.
    expect((await readdir(tmp)).filter((f) => f.startsWith('pokerface-shard-'))).toEqual([])
    expect((await readdir(join(shards[0], '..'))).sort()).toEqual(shards.map((s) => s.split('/').at(-1)).sort())

    const home = await tempDir('pf-shard-merged-')
    const r = pokerface(['merge', dataset, ...shards, '--model', MODEL, '--data-dir', home, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const report = r.json()
    expect(report.missingShards).toEqual([])
    expect(report.neighbours).toBe(true)
    const files = report.files as {
      added: number
      failuresAdded: number
      alreadyStored: number
      unknown: number
      uncovered: number
    }[]
    // 23 faces + 1 corrupt + 1 duplicate = 24 distinct images: 23 predictions, 1 failure.
    expect(files.reduce((a, f) => a + f.added, 0)).toBe(23)
    expect(files.reduce((a, f) => a + f.failuresAdded, 0)).toBe(1)
    expect(files.every((f) => f.alreadyStored === 0 && f.unknown === 0 && f.uncovered === 0)).toBe(true)
    // Every shard got some of them: the split is by hash, not "all in shard 0".
    expect(files.filter((f) => f.added + f.failuresAdded > 0).length).toBeGreaterThanOrEqual(3)

    const merged = storeSnapshot(home)
    const reference = storeSnapshot(local)
    expect(merged.predictions).toHaveLength(23)
    expect(Object.keys(merged.sheets)).toHaveLength(23)
    expect(merged.failures).toHaveLength(1)
    expect(merged.embeddings).toHaveLength(23)
    expect(merged.embeddings.every((e) => (e as { dim: number }).dim === 32)).toBe(true)
    // 24 faces (the copy too), 10 neighbours each: what the neighbour score is computed from.
    const lists = Object.values(merged.neighbours[MODEL_ID] ?? {})
    expect(lists).toHaveLength(24)
    expect(lists.every((l) => l.length === 10)).toBe(true)
    const scored = merged.ranking.filter(
      (row) => (row as { neighbour_disagreement: number | null }).neighbour_disagreement !== null
    )
    expect(scored.length).toBeGreaterThan(0)
    expect(merged).toEqual(reference)

    const before = predictionRowsWithTimes(home)
    const again = pokerface(['merge', dataset, ...shards, '--data-dir', home, '--json'])
    expect(again.code, again.stderr).toBe(0)
    const second = again.json()
    const secondFiles = second.files as { added: number; failuresAdded: number; embeddingsAdded: number; alreadyStored: number }[]
    expect(secondFiles.reduce((a, f) => a + f.added + f.failuresAdded + f.embeddingsAdded, 0)).toBe(0)
    expect(secondFiles.reduce((a, f) => a + f.alreadyStored, 0)).toBe(24)
    expect([second.neighbours, second.ranked]).toEqual([false, false])
    expect(predictionRowsWithTimes(home)).toEqual(before)
    expect(storeSnapshot(home)).toEqual(reference)

    // A local run after the merge finds nothing pending: every prediction has its embedding.
    const local2 = pokerface(['infer', dataset, ...RUN, '--data-dir', home, '--json'])
    expect(local2.code, local2.stderr).toBe(0)
    expect([local2.json().done, local2.json().alreadyDone]).toEqual([0, 24])
  })

  it('gives stored predictions that lack an embedding theirs, keeping the predictions', async () => {
    const home = await tempDir('pf-shard-upgrade-')
    expect(pokerface(['merge', dataset, ...shards, '--model', MODEL, '--data-dir', home]).code).toBe(0)
    // As a store whose predictions were made before the model had its embedding output.
    const db = new Database(join(home, 'pokerface.sqlite'))
    db.exec('DELETE FROM embeddings; DELETE FROM neighbour_lists; UPDATE review_scores SET neighbour_disagreement = NULL')
    db.close()
    const before = predictionRowsWithTimes(home)
    const r = pokerface(['merge', dataset, ...shards, '--data-dir', home, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const files = r.json().files as { added: number; upgraded: number; embeddingsAdded: number; alreadyStored: number }[]
    const sum = (key: keyof (typeof files)[0]) => files.reduce((a, f) => a + f[key], 0)
    expect([sum('added'), sum('upgraded'), sum('embeddingsAdded'), sum('alreadyStored')]).toEqual([0, 0, 23, 1])
    expect(r.json().neighbours).toBe(true)
    expect(predictionRowsWithTimes(home)).toEqual(before)
    expect(storeSnapshot(home)).toEqual(storeSnapshot(local))
  })

  it('with a model without the embedding output: files hold none, and merge finds no neighbours', async () => {
    const file = join(await tempDir('pf-shard-plain-'), 'all.pfshard')
    const plain = ['--model', MICRO_MODEL, ...OPTIONS, '--no-generate']
    const task = pokerface(['infer', dataset, '--shard', '0/1', '--out', file, ...plain])
    expect(task.code, task.stderr).toBe(0)
    const db = new Database(file, { readonly: true })
    expect(db.prepare('SELECT count(*) FROM embeddings').pluck().get()).toBe(0)
    expect(db.prepare('SELECT count(*) FROM predictions').pluck().get()).toBe(23)
    db.close()
    const home = await tempDir('pf-shard-plain-home-')
    const r = pokerface(['merge', dataset, file, '--model', MICRO_MODEL, '--data-dir', home, '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect([r.json().neighbours, r.json().ranked]).toEqual([false, true])
    const merged = storeSnapshot(home)
    expect([merged.predictions.length, merged.embeddings.length, merged.neighbours]).toEqual([23, 0, {}])
  })

  it('a task whose file is already complete does nothing; another shard into that file is refused', async () => {
    const again = pokerface(['infer', dataset, '--shard', '2/4', '--out', shards[2], ...RUN])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain('already holds shard 2/4')
    const other = pokerface(['infer', dataset, '--shard', '3/4', '--out', shards[2], ...RUN])
    expect(other.code).toBe(6)
    expect(other.stderr).toContain(`already holds shard 2/4 by ${MODEL_ID}, not 3/4`)
    expect(pokerface(['infer', dataset, '--shard', '4/4', '--out', shards[2]]).stderr).toContain('between 0 and 3')
    expect(pokerface(['infer', dataset, '--shard', '1/4']).stderr).toContain('--shard needs --out FILE')
  })

  it('refuses damaged, foreign and mismatched files by name, and imports nothing', async () => {
    const dir = await tempDir('pf-shard-bad-')
    const truncated = join(dir, 'truncated.pfshard')
    const bytes = await readFile(shards[1])
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)))
    const text = join(dir, 'notes.pfshard')
    await writeFile(text, 'not a shard\n')
    const foreign = join(local, 'pokerface.sqlite') // a SQLite file, but the app's store
    const otherModel = await brokenModelCopy((m) => (m.version = '9.9'), MODEL)
    // Embeddings that no run stores: the wrong width, a value that is not finite, cut short, none;
    // edited in a copy of the shard with the most predictions (a shard of 24 images may have none).
    const predictions = (file: string) => {
      const db = new Database(file, { readonly: true })
      const n = db.prepare('SELECT count(*) FROM predictions').pluck().get() as number
      db.close()
      return n
    }
    const fullest = shards.reduce((a, b) => (predictions(b) > predictions(a) ? b : a))
    const embeddingOf = (sql: string) =>
      `UPDATE embeddings SET ${sql} WHERE content_hash = (SELECT min(content_hash) FROM embeddings)`
    const wide = await editedShard(
      fullest,
      dir,
      'wide.pfshard',
      embeddingOf("dim = 33, vector = CAST(vector || x'00000000' AS BLOB)")
    )
    const nan = await editedShard(
      fullest,
      dir,
      'nan.pfshard',
      embeddingOf("vector = CAST(x'0000c07f' || substr(vector, 5) AS BLOB)")
    )
    const short = await editedShard(fullest, dir, 'short.pfshard', embeddingOf('vector = substr(vector, 1, 64)'))
    const none = await editedShard(
      fullest,
      dir,
      'none.pfshard',
      'DELETE FROM embeddings WHERE rowid = (SELECT min(rowid) FROM embeddings)'
    )
    const old = await editedShard(fullest, dir, 'old.pfshard', 'UPDATE shard_about SET format_version = 1')

    const cases: [string[], number, RegExp][] = [
      [[truncated], 8, /truncated\.pfshard is damaged/],
      [[text], 8, /notes\.pfshard is not a PokerFace shard file \(not even a SQLite database\)/],
      [[foreign], 8, /pokerface\.sqlite is not a PokerFace shard file/],
      [[join(dir, 'missing.pfshard')], 8, /missing\.pfshard does not exist/],
      [[shards[0], shards[0]], 8, /shard 0\/4 is given twice/],
      [
        [shards[0], shards[1], '--model', otherModel],
        8,
        new RegExp(`made by a model that is not the "${MODEL_ID}" known here: model version 0\\.\\d+[^,]*, not 9\\.9`)
      ],
      [[wide], 8, /wide\.pfshard: image [0-9a-f]{12}…: its embedding has 33 values, not the model's 32/],
      [[nan], 8, /nan\.pfshard: image [0-9a-f]{12}…: its embedding's value 0 is NaN, not a finite number/],
      [[short], 8, /short\.pfshard: image [0-9a-f]{12}…: its embedding is 64 bytes, not 32 float32 values \(128 bytes\)/],
      [[none], 8, /none\.pfshard: image [0-9a-f]{12}…: has no embedding, but the model gives one of width 32/],
      [[old], 8, /old\.pfshard was written by an older PokerFace Studio \(shard format 1, without each image's embedding/]
    ]
    // A good file beside the bad one (of another shard than any bad one): it is not imported either.
    const beside = fullest === shards[3] ? shards[2] : shards[3]
    for (const [files, code, message] of cases) {
      const home = await tempDir('pf-shard-bad-home-')
      const model = files.includes('--model') ? [] : ['--model', MODEL]
      const r = pokerface(['merge', dataset, beside, ...files, ...model, '--data-dir', home])
      expect(r.code, `${files.join(' ')}\n${r.stdout}${r.stderr}`).toBe(code)
      expect(r.stderr).toContain('Nothing was merged')
      expect(r.stderr).toMatch(message)
      const stored = existsSync(join(home, 'pokerface.sqlite')) ? predictionRowsWithTimes(home) : []
      expect(stored).toEqual([])
    }
  })

  it('skips results for images no longer in the dataset and says how many; refuses another dataset’s shards', async () => {
    const smaller = join(await tempDir('pf-shard-smaller-'), 'faces')
    await cp(dataset, smaller, { recursive: true })
    const gone = ['test/happy/sample1__face3.png', 'train/sad/corrupt.png']
    for (const f of gone) await rm(join(smaller, f))
    const home = await tempDir('pf-shard-smaller-home-')
    const r = pokerface(['merge', smaller, ...shards, '--model', MODEL, '--data-dir', home, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const files = r.json().files as { added: number; failuresAdded: number; unknown: number }[]
    expect(files.reduce((a, f) => a + f.unknown, 0)).toBe(2)
    expect(files.reduce((a, f) => a + f.added + f.failuresAdded, 0)).toBe(22)

    const other = join(await tempDir('pf-shard-other-'), 'other')
    await mkdir(join(other, 'happy'), { recursive: true })
    await copyFile(join(dataset, 'test', 'happy', 'sample1__face3.png'), join(other, 'happy', 'only.png'))
    // The shard that holds none of `other`'s one image.
    const db = new Database(join(local, 'pokerface.sqlite'), { readonly: true })
    const hash = db
      .prepare(`SELECT content_hash FROM samples WHERE rel_path = 'test/happy/sample1__face3.png'`)
      .pluck()
      .get() as string
    db.close()
    const foreignShard = shards[(parseInt(hash.slice(0, 12), 16) + 1) % 4]
    const refused = pokerface(['merge', other, foreignShard, '--model', MODEL, '--data-dir', await tempDir('pf-shard-o-')])
    expect(refused.code).toBe(8)
    expect(refused.stderr).toMatch(/none of its \d+ images is in this dataset — a shard of another dataset\?/)
  })
})
