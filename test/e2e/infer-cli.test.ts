import { spawn, spawnSync } from 'node:child_process'
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { copyFaceFixture, FERPLUS_DIR, HAS_FERPLUS, NO_FERPLUS_REASON, tempDir } from '../helpers/data'
import { HAS_BUILD, ROOT, testEnv } from '../helpers/browser'
import { brokenModelCopy, MICRO_EMBED_MODEL, MICRO_MODEL } from '../helpers/models'

const CLI = join(ROOT, 'out', 'main', 'cli.js')
const NO_BUILD = 'no build in out/: run `npm run build` first (npm test does)'
if (!HAS_FERPLUS) console.warn(`[infer-cli] FERPlus cases skipped: ${NO_FERPLUS_REASON}`)

function pokerface(args: string[], timeout = 170_000) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout, env: testEnv() })
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    json: () => JSON.parse(r.stdout.trim().split('\n').at(-1) as string)
  }
}

const predictionCount = (dataDir: string): number => {
  try {
    const db = new Database(join(dataDir, 'pokerface.sqlite'), { readonly: true, fileMustExist: true })
    try {
      return db.prepare('SELECT count(*) FROM predictions').pluck().get() as number
    } finally {
      db.close()
    }
  } catch {
    return 0 // not created yet
  }
}

// On the committed face fixture (test/fixtures/faces), so these run in a fresh clone with nothing
// beside it; without a build they fail and say so rather than skip.
describe('pokerface infer (real worker thread, real ONNX, real SQLite)', () => {
  let dataset: string
  let images: number

  beforeAll(async () => {
    if (!HAS_BUILD) throw new Error(NO_BUILD)
    dataset = join(await tempDir('pf-infer-'), 'faces ü')
    images = (await copyFaceFixture(dataset)).length
    // Passes the scan's header checks (PNG signature, IHDR, IEND) but its pixel data is garbage,
    // so only the decoder finds out: a per-sample error, and the run goes on.
    const good = await readFile(join(dataset, 'test', 'happy', 'sample1__face3.png'))
    const corrupt = Buffer.from(good)
    corrupt.fill(0x55, 45, good.length - 20)
    await mkdir(join(dataset, 'train', 'sad'), { recursive: true })
    await writeFile(join(dataset, 'train', 'sad', 'corrupt.png'), corrupt)
  })

  it('runs every image once, records unreadable ones, and a second run does nothing', async () => {
    const dataDir = await tempDir('pf-infer-home-')
    const first = pokerface([
      'infer',
      dataset,
      '--model',
      MICRO_MODEL,
      '--data-dir',
      dataDir,
      '--batch',
      '8',
      '--threads',
      '1',
      '--json'
    ])
    expect(first.code, first.stderr).toBe(0)
    const summary = first.json()
    expect(summary).toMatchObject({ state: 'done', provider: 'cpu', threads: 1, batchSize: 8, failed: 1, alreadyDone: 0 })
    expect(summary.done).toBe(summary.total)
    expect(summary.total).toBe(images + 1)
    expect(summary.failures).toEqual([
      { relPath: 'train/sad/corrupt.png', reason: expect.stringMatching(/^corrupt or truncated image/) }
    ])
    expect(predictionCount(dataDir)).toBe(images)
    expect(first.stderr).toContain('running on cpu with 1 threads')

    const second = pokerface(['infer', dataset, '--model', 'pfvit-micro-test', '--data-dir', dataDir, '--json'])
    expect(second.code, second.stderr).toBe(0)
    expect(second.json()).toMatchObject({ state: 'done', done: 0, alreadyDone: summary.total })
  })

  it('computes every image again when a model is exported again under the same id, and says so', async () => {
    const dataDir = await tempDir('pf-infer-reexport-home-')
    const model = await brokenModelCopy(() => {}) // the micro model, in a folder of its own
    const infer = (folder = dataset) =>
      pokerface(['infer', folder, '--model', model, '--data-dir', dataDir, '--threads', '1', '--json'])
    // A second dataset ranked by the old graphs and not run again: its ranking must not outlive them.
    const other = join(await tempDir('pf-infer-reexport-other-'), 'faces')
    await copyFaceFixture(other)
    expect(infer(other).code).toBe(0)
    const rankings = () => {
      const db = new Database(join(dataDir, 'pokerface.sqlite'), { readonly: true, fileMustExist: true })
      try {
        return db
          .prepare(
            'SELECT d.root AS root, count(s.sample_id) AS scores FROM review_rankings r JOIN datasets d ON d.id = r.dataset_id LEFT JOIN review_scores s ON s.dataset_id = r.dataset_id GROUP BY r.dataset_id'
          )
          .all() as { root: string; scores: number }[]
      } finally {
        db.close()
      }
    }
    const first = infer()
    expect(first.code, first.stderr).toBe(0)
    const total = first.json().total
    expect(rankings()).toHaveLength(2)
    // The same id, other weights: pfvit-micro-embed's classifier (the contract checks each graph alone).
    await copyFile(join(MICRO_EMBED_MODEL, 'classify.onnx'), join(model, 'classify.onnx'))
    const again = infer()
    expect(again.code, again.stderr).toBe(0)
    expect(again.json()).toMatchObject({ state: 'done', alreadyDone: 0, done: total })
    expect(again.stderr).toMatch(
      /graphs are not the ones its stored results came from .*: \d+ stored results discarded, with the label rankings/
    )
    // Only the dataset run again has a ranking, the new graphs'; the other has none until it runs.
    expect(rankings().map((r) => r.root)).toEqual([dataset])
    expect(rankings()[0].scores).toBeGreaterThan(0)
    const third = infer()
    expect(third.json()).toMatchObject({ state: 'done', done: 0, alreadyDone: total })
    expect(third.stderr).not.toMatch(/discarded/)
  })

  it('runs on FER2013 CSV rows, whose images exist only as pixels in the file', async () => {
    const dir = await tempDir('pf-infer-fer2013-')
    const lines = ['emotion,pixels,Usage']
    // FER2013's own shape, 48×48 grey pixels, from three of the fixture's faces: 3 happiness, 6 neutral.
    for (const [emotion, face] of [
      [3, 'test/happy/sample1__face3.png'],
      [3, 'test/happy/sample6__face1.png'],
      [6, 'test/neutral/sample4__face1.png']
    ] as const) {
      const pixels = await sharp(join(dataset, face)).resize(48, 48).greyscale().raw().toBuffer()
      lines.push(`${emotion},${Array.from(pixels).join(' ')},Training`)
    }
    await writeFile(join(dir, 'fer2013.csv'), lines.join('\n') + '\n')
    const r = pokerface(['infer', dir, '--model', MICRO_MODEL, '--data-dir', await tempDir('pf-infer-fer2013-home-'), '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.json()).toMatchObject({ state: 'done', done: 3, failed: 0, failures: [] })
  })

  it('refuses a model that does not fit the contract before the run, listing every mismatch', async () => {
    const bad = await brokenModelCopy((m) => {
      m.classes = ['a', 'b', 'c']
      m.input.size = 64
    })
    const r = pokerface(['infer', dataset, '--model', bad, '--data-dir', await tempDir('pf-infer-bad-')])
    expect(r.code).toBe(4)
    expect(r.stderr).toContain('does not fit the model contract')
    expect(r.stderr).toContain('the model has 8 classes but model.json lists 3')
    expect(r.stderr).toContain('input "image": shape [N,3,32,32], expected [N,3,64,64]')
    expect(pokerface(['infer', dataset, '--model', 'no-such-model', '--data-dir', await tempDir('pf-infer-bad2-')]).code).toBe(4)
  })

  it('says so when a folder has no images, and never overwrites an export silently', async () => {
    const empty = await tempDir('pf-infer-empty-')
    const home = await tempDir('pf-infer-exp-')
    expect(pokerface(['infer', empty, '--model', MICRO_MODEL, '--data-dir', home]).code).toBe(3)
    const out = join(home, 'labels.csv')
    expect(pokerface(['export', dataset, '--out', out, '--data-dir', home]).code).toBe(0)
    expect((await readFile(out, 'utf8')).split('\n')[0]).toBe('path,original_label,current_label,changed')
    const again = pokerface(['export', dataset, '--out', out, '--data-dir', home])
    expect(again.code).toBe(6)
    expect(again.stderr).toContain('--force')
  })
})

// These need the real FERPlus folder beside the project (../shared/data, or PF_DATA_DIR).
describe.skipIf(!HAS_FERPLUS || !HAS_BUILD)('pokerface infer and eval on FERPlus (real data)', () => {
  // These two use the 3,573-image FER2013Test folder as it is (the app only reads it), so the run
  // is still going when the signal arrives, however fast the machine.
  const bigDataset = join(FERPLUS_DIR, 'FER2013Test')

  it('resumes after kill -9 with only the missing images', async () => {
    const dataDir = await tempDir('pf-infer-kill-')
    const child = spawn(
      process.execPath,
      [CLI, 'infer', bigDataset, '--model', MICRO_MODEL, '--data-dir', dataDir, '--batch', '2', '--threads', '1'],
      {
        stdio: 'ignore'
      }
    )
    const exited = new Promise((resolve) => child.once('exit', resolve))
    let seen = 0
    for (let i = 0; i < 600 && seen === 0; i++) {
      await new Promise((r) => setTimeout(r, 50))
      seen = predictionCount(dataDir)
    }
    child.kill('SIGKILL')
    await exited
    const stored = predictionCount(dataDir)
    expect(seen).toBeGreaterThan(0)
    const rerun = pokerface([
      'infer',
      bigDataset,
      '--model',
      'pfvit-micro-test',
      '--data-dir',
      dataDir,
      '--no-generate',
      '--json'
    ])
    expect(rerun.code, rerun.stderr).toBe(0)
    const s = rerun.json()
    expect(s.alreadyDone).toBe(stored)
    expect(s.alreadyDone + s.done).toBe(s.total)
    expect(s.done).toBeGreaterThan(0)
  })

  it('stops at once on Ctrl+C, keeping what was stored', async () => {
    const dataDir = await tempDir('pf-infer-int-')
    const child = spawn(
      process.execPath,
      [CLI, 'infer', bigDataset, '--model', MICRO_MODEL, '--data-dir', dataDir, '--batch', '2', '--threads', '1', '--json'],
      {
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    const code = new Promise<number | null>((resolve) => child.once('exit', resolve))
    for (let i = 0; i < 600 && predictionCount(dataDir) === 0; i++) await new Promise((r) => setTimeout(r, 50))
    child.kill('SIGINT')
    expect(await code).toBe(130)
    const s = JSON.parse(out.trim().split('\n').at(-1) as string)
    expect(s.state).toBe('cancelled')
    expect(s.done).toBeLessThan(s.total)
  })

  it('evaluates a model on the FERPlus test split through the app’s own pipeline', async () => {
    const dir = await tempDir('pf-eval-')
    const [out, grid] = [join(dir, 'card', 'metrics.json'), join(dir, 'card', 'grid.png')]
    // A first eval scans all 35,710 FERPlus files (with the duplicate search) before running the
    // 3,573 test faces and both judges: minutes on two loaded cores, so it gets more than the others.
    const r = pokerface(
      ['eval', '--model', MICRO_MODEL, '--data-dir', dir, '--threads', '1', '--out', out, '--grid', grid],
      400_000
    )
    expect(r.code, r.stderr).toBe(0)
    // With --out the JSON goes to the file and the terminal ends with one summary line.
    const report = JSON.parse(await readFile(out, 'utf8'))
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(
      /^accuracy [\d.]+ % · mean per-class recall [\d.]+ % · ECE [\d.]+ \(15 bins\) · 3,137 faces → /
    )
    // Poker faces checked as stored: every test face (labelled or not) has them, the labelled
    // ones split into expressive and neutral, and distances are pixel means in 0..1.
    const poker = report.poker_faces
    expect(poker.all.images).toBe(3573)
    expect(poker.expressive.images + poker.labelled_neutral.images).toBe(3137)
    expect(poker.images_without_generated_faces).toBe(0)
    for (const group of [poker.all, poker.expressive, poker.labelled_neutral]) {
      expect(group.neutral_share).toBeGreaterThanOrEqual(0)
      expect(group.neutral_share).toBeLessThanOrEqual(1)
      expect(group.reconstruction_neutral_share).toBeGreaterThanOrEqual(0)
      expect(group.reconstruction_neutral_share).toBeLessThanOrEqual(1)
      expect(group.mean_l1_poker_face_to_input).toBeGreaterThan(0)
      expect(group.mean_l1_reconstruction_to_input).toBeLessThan(1)
    }
    // The independent judges (../shared/models) ran on every checked face, where they are present.
    if (!poker.judges.skipped) {
      expect(poker.judges.same_person_threshold).toBeGreaterThan(poker.judges.different_people_mean_cosine)
      for (const group of [poker.expressive, poker.labelled_neutral]) {
        for (const key of ['judge_calls_input_neutral', 'judge_calls_poker_face_neutral', 'poker_faces_same_person'])
          expect(group.judged[key]).toBeGreaterThanOrEqual(0)
        expect(group.judged.emotion_map_share_mouth).toBeLessThanOrEqual(1)
      }
      // Real FERPlus faces: the judge calls labelled-neutral inputs neutral far more often than expressive ones.
      expect(poker.labelled_neutral.judged.judge_calls_input_neutral).toBeGreaterThan(
        poker.expressive.judged.judge_calls_input_neutral + 0.2
      )
    }
    // 2 blocks of 8 rows × (original, reconstruction, poker face, emotion component, map) at 32 px
    expect(await sharp(grid).metadata()).toMatchObject({ format: 'png', width: 2 * 5 * 32 + 8, height: 8 * 32 })
    expect(r.stderr).toContain('rows neutral, neutral, happiness, happiness')
    expect(report).toMatchObject({ model: 'pfvit-micro-test', samples: 3137, skipped_labels_not_in_model: 0 })
    expect(report.confusion_matrix.flat().reduce((a: number, b: number) => a + b)).toBe(3137)
    expect(report.class_counts).toEqual({
      neutral: 1083,
      happiness: 892,
      surprise: 394,
      sadness: 382,
      anger: 269,
      disgust: 16,
      fear: 86,
      contempt: 15
    })
  }, 420_000)
})
