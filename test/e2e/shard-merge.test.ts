/**
 * `pokerface infer --shard K/N` and `pokerface merge` on the committed face fixture, with the real
 * worker threads, ONNX model and SQLite files: four shards merged give the store one local run
 * gives, merging is idempotent, and a bad file is refused with its reason and changes nothing.
 * The same flow under a real Slurm scheduler is test/e2e/slurm-array.test.ts.
 */
import { copyFile, cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { beforeAll, describe, expect, it } from 'vitest'
import { copyFaceFixture, tempDir } from '../helpers/data'
import { HAS_BUILD } from '../helpers/browser'
import { brokenModelCopy, MICRO_MODEL } from '../helpers/models'
import { pokerface, predictionRowsWithTimes, storeSnapshot } from '../helpers/shards'

// Batch 1: onnxruntime's batched kernels round differently with the batch's size and company, so
// only one image per call makes "the same probabilities" exact rather than close (docs/cluster.md).
const RUN = ['--model', MICRO_MODEL, '--batch', '1', '--threads', '1']

describe('pokerface infer --shard and merge (real worker, real ONNX, real SQLite)', () => {
  let dataset: string
  let local: string
  let shards: string[]
  let tmp: string

  beforeAll(async () => {
    if (!HAS_BUILD) throw new Error('no build in out/: run `npm run build` first (npm test does)')
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
      shards.push(file)
    }
  }, 600_000) // five real runs, on two cores shared with other work

  it('merges four shards into the store one local run makes, and merging again changes nothing', async () => {
    // The private stores are gone once their files are written; no temporaries are left.
    expect((await readdir(tmp)).filter((f) => f.startsWith('pokerface-shard-'))).toEqual([])
    expect((await readdir(join(shards[0], '..'))).sort()).toEqual(shards.map((s) => s.split('/').at(-1)).sort())

    const home = await tempDir('pf-shard-merged-')
    const r = pokerface(['merge', dataset, ...shards, '--model', MICRO_MODEL, '--data-dir', home, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const report = r.json()
    expect(report.missingShards).toEqual([])
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
    expect(merged).toEqual(reference)

    const before = predictionRowsWithTimes(home)
    const again = pokerface(['merge', dataset, ...shards, '--data-dir', home, '--json'])
    expect(again.code, again.stderr).toBe(0)
    const second = again.json().files as { added: number; failuresAdded: number; alreadyStored: number }[]
    expect(second.reduce((a, f) => a + f.added + f.failuresAdded, 0)).toBe(0)
    expect(second.reduce((a, f) => a + f.alreadyStored, 0)).toBe(24)
    expect(predictionRowsWithTimes(home)).toEqual(before)
    expect(storeSnapshot(home)).toEqual(reference)
  })

  it('a task whose file is already complete does nothing; another shard into that file is refused', async () => {
    const again = pokerface(['infer', dataset, '--shard', '2/4', '--out', shards[2], ...RUN])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain('already holds shard 2/4')
    const other = pokerface(['infer', dataset, '--shard', '3/4', '--out', shards[2], ...RUN])
    expect(other.code).toBe(6)
    expect(other.stderr).toContain('already holds shard 2/4 by pfvit-micro-test, not 3/4')
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
    const otherModel = await brokenModelCopy((m) => (m.version = '9.9'))

    const cases: [string[], number, RegExp][] = [
      [[truncated], 8, /truncated\.pfshard is damaged/],
      [[text], 8, /notes\.pfshard is not a PokerFace shard file \(not even a SQLite database\)/],
      [[foreign], 8, /pokerface\.sqlite is not a PokerFace shard file/],
      [[join(dir, 'missing.pfshard')], 8, /missing\.pfshard does not exist/],
      [[shards[0], shards[0]], 8, /shard 0\/4 is given twice/],
      [
        [shards[0], shards[1], '--model', otherModel],
        8,
        /made by a model that is not the "pfvit-micro-test" known here: model version 0\.\d+[^,]*, not 9\.9/
      ]
    ]
    for (const [files, code, message] of cases) {
      const home = await tempDir('pf-shard-bad-home-')
      // A good file beside the bad one: it is not imported either.
      const model = files.includes('--model') ? [] : ['--model', MICRO_MODEL]
      const r = pokerface(['merge', dataset, shards[3], ...files, ...model, '--data-dir', home])
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
    const r = pokerface(['merge', smaller, ...shards, '--model', MICRO_MODEL, '--data-dir', home, '--json'])
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
    const refused = pokerface(['merge', other, foreignShard, '--model', MICRO_MODEL, '--data-dir', await tempDir('pf-shard-o-')])
    expect(refused.code).toBe(8)
    expect(refused.stderr).toMatch(/none of its \d+ images is in this dataset — a shard of another dataset\?/)
  })
})
