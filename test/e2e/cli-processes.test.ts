import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/data'
import { HAS_BUILD, ROOT, testEnv } from '../helpers/browser'
import { buildFerplusShaped, FERPLUS_LABEL_FILES } from '../helpers/ferplusShaped'
import { MICRO_MODEL } from '../helpers/models'

/**
 * The `pokerface` processes as a researcher meets them: the wrapper (bin/pokerface.mjs) and the
 * command it starts (out/main/cli.js), signals, kill -9, two runs on one data folder, and a
 * source export killed at each step. Real processes, real SQLite, the micro model on CPU; no
 * FERPlus data needed (the faces are generated here).
 */
const CLI = join(ROOT, 'out', 'main', 'cli.js')
const WRAPPER = join(ROOT, 'bin', 'pokerface.mjs')
const SHIPPED_MODEL = join(ROOT, 'resources', 'models', 'pfvit-ferplus-small-v9-int8')
const KILL_AT_RENAME = join(ROOT, 'test', 'helpers', 'killAtRename.cjs')
if (!HAS_BUILD) console.warn('[cli-processes] skipped: no build in out/ (run npm run build)')

/** n distinct 48×48 noise images (distinct content: each is its own sample and its own result). */
async function noiseFaces(dir: string, n: number): Promise<string> {
  await mkdir(dir, { recursive: true })
  let seed = 12345
  for (let i = 0; i < n; i++) {
    const pixels = Buffer.alloc(48 * 48)
    for (let p = 0; p < pixels.length; p++) pixels[p] = (seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 23
    await sharp(pixels, { raw: { width: 48, height: 48, channels: 1 } })
      .png()
      .toFile(join(dir, `face${String(i).padStart(4, '0')}.png`))
  }
  return dir
}

const inferArgs = (dataset: string, dataDir: string, ...more: string[]) => [
  'infer',
  dataset,
  '--model',
  MICRO_MODEL,
  '--data-dir',
  dataDir,
  '--batch',
  '4',
  '--threads',
  '1',
  ...more
]

function predictionCount(dataDir: string): number {
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

/** True while the process runs; a zombie (exited, not yet reaped by its new parent) has stopped. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    if (existsSync('/proc/self/stat')) return false
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
}

/** Polls until `ok()`; a bound, not a timing claim: it only turns a hang into a failure that says what. */
async function until(ok: () => boolean, what: string, boundMs = 90_000): Promise<void> {
  for (const started = Date.now(); !ok(); await new Promise((r) => setTimeout(r, 25))) {
    if (Date.now() - started > boundMs) throw new Error(`gave up waiting for ${what}`)
  }
}

/** Waits until the run has stored its first results: it is well under way. */
async function runGoing(dataDir: string): Promise<void> {
  await until(() => predictionCount(dataDir) > 0, 'the first stored results')
}

/** The one child of `parent` (Linux /proc): the command the wrapper started. */
function childOf(parent: number): number {
  const children = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        // "pid (comm) state ppid …": comm may hold spaces, so split after its closing parenthesis.
        return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]) === parent
      } catch {
        return false // gone meanwhile
      }
    })
  expect(children).toHaveLength(1)
  return Number(children[0])
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
}

describe.skipIf(!HAS_BUILD)('pokerface processes (real wrapper, real CLI, real SQLite and ONNX)', () => {
  it('F6: kill -9 of the pokerface wrapper stops the command it started', async () => {
    const dataset = await noiseFaces(join(await tempDir('pf-proc-kill-'), 'faces'), 300)
    const dataDir = await tempDir('pf-proc-kill-home-')
    const wrapper = spawn(process.execPath, [WRAPPER, ...inferArgs(dataset, dataDir)], { stdio: 'ignore', env: testEnv() })
    const wrapperExit = exited(wrapper)
    await runGoing(dataDir)
    const command = childOf(wrapper.pid!)
    // Frozen while its parent dies, so it cannot finish the run before it notices.
    process.kill(command, 'SIGSTOP')
    wrapper.kill('SIGKILL')
    await wrapperExit
    process.kill(command, 'SIGCONT')
    await until(() => !running(command), `the orphaned command (pid ${command}) to stop`)
    expect(predictionCount(dataDir)).toBeLessThan(300) // it stopped; it did not run on to the end
  })

  it('F6: SIGTERM to the wrapper reaches the command, which stops cleanly; the wrapper exits with its code', async () => {
    const dataset = await noiseFaces(join(await tempDir('pf-proc-term-'), 'faces'), 300)
    const dataDir = await tempDir('pf-proc-term-home-')
    const wrapper = spawn(process.execPath, [WRAPPER, ...inferArgs(dataset, dataDir, '--json')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: testEnv()
    })
    let out = ''
    wrapper.stdout!.on('data', (d) => (out += d))
    const done = exited(wrapper)
    await runGoing(dataDir)
    const command = childOf(wrapper.pid!)
    wrapper.kill('SIGTERM')
    expect(await done).toEqual({ code: 130, signal: null })
    const summary = JSON.parse(out.trim().split('\n').at(-1)!)
    expect(summary.state).toBe('cancelled')
    expect(summary.done).toBe(predictionCount(dataDir))
    expect(running(command)).toBe(false)
  })

  it('F6: a second infer on the same data folder stops at once (exit 7) naming the first; a killed one frees it', async () => {
    const dataset = await noiseFaces(join(await tempDir('pf-proc-lock-'), 'faces'), 60)
    const dataDir = await tempDir('pf-proc-lock-home-')
    const first = spawn(process.execPath, [CLI, ...inferArgs(dataset, dataDir)], { stdio: 'ignore', env: testEnv() })
    const firstExit = exited(first)
    await runGoing(dataDir)
    process.kill(first.pid!, 'SIGSTOP') // holds the folder for as long as the test needs
    // A run can be frozen inside a write: the store's write lock is held here too. A second command
    // that opened (scanned) before asking for the folder waited out the busy timeout on it and
    // failed with "database is locked" (exit 4) instead of naming the run.
    const store = new Database(join(dataDir, 'pokerface.sqlite'))
    store.exec('BEGIN IMMEDIATE')
    let second
    try {
      second = spawnSync(process.execPath, [CLI, ...inferArgs(dataset, dataDir)], { encoding: 'utf8', env: testEnv() })
    } finally {
      store.exec('ROLLBACK')
      store.close()
    }
    expect(second.status, second.stderr).toBe(7)
    expect(second.stderr).toContain(`is in use by an inference run on ${dataset} (pid ${first.pid}, since `)
    expect(second.stderr).toContain('use another --data-dir')

    first.kill('SIGKILL')
    await firstExit
    const third = spawnSync(process.execPath, [CLI, ...inferArgs(dataset, dataDir, '--json')], {
      encoding: 'utf8',
      env: testEnv()
    })
    expect(third.status, third.stderr).toBe(0)
    expect(JSON.parse(third.stdout.trim().split('\n').at(-1)!)).toMatchObject({ state: 'done', total: 60 })
    expect(predictionCount(dataDir)).toBe(60)
  })

  it('F6: a merge or an eval into a data folder a run holds stops at once (exit 7) naming the run, before it writes', async () => {
    const dataset = await noiseFaces(join(await tempDir('pf-proc-hold-'), 'faces'), 60)
    const shard = join(await tempDir('pf-proc-hold-shard-'), 'shard-0.pfshard')
    const made = spawnSync(
      process.execPath,
      [CLI, ...inferArgs(dataset, await tempDir('pf-proc-hold-task-'), '--shard', '0/1', '--out', shard)],
      {
        encoding: 'utf8',
        env: testEnv()
      }
    )
    expect(made.status, made.stderr).toBe(0)
    // eval works in <data folder>/eval (cli/evalDataFolder.ts): the run holds that folder.
    const workspace = await tempDir('pf-proc-hold-home-')
    const dataDir = join(workspace, 'eval')
    const first = spawn(process.execPath, [CLI, ...inferArgs(dataset, dataDir)], { stdio: 'ignore', env: testEnv() })
    const firstExit = exited(first)
    await runGoing(dataDir)
    process.kill(first.pid!, 'SIGSTOP')
    // Frozen inside a write, as in the test above: a command that added its --model folder or
    // opened the dataset before asking for the folder waited out the busy timeout and failed with
    // "database is locked" (exit 4).
    const store = new Database(join(dataDir, 'pokerface.sqlite'))
    store.exec('BEGIN IMMEDIATE')
    try {
      for (const args of [
        ['merge', dataset, shard, '--model', MICRO_MODEL, '--data-dir', dataDir],
        ['eval', dataset, '--model', MICRO_MODEL, '--data-dir', workspace]
      ]) {
        const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: testEnv() })
        expect(r.status, `${args[0]}: ${r.stderr}`).toBe(7)
        expect(r.stderr).toContain(`is in use by an inference run on ${dataset} (pid ${first.pid}, since `)
      }
    } finally {
      store.exec('ROLLBACK')
      store.close()
      first.kill('SIGKILL')
      await firstExit
    }
  })

  it('F6: after Ctrl+C the summary counts exactly the results that were stored', async () => {
    const dataset = await noiseFaces(join(await tempDir('pf-proc-int-'), 'faces'), 300)
    const dataDir = await tempDir('pf-proc-int-home-')
    // The shipped model, not the micro one: slow enough that batches are still with the model and
    // the post-processing thread when Ctrl+C comes, which is what the old summary left out.
    const args = inferArgs(dataset, dataDir, '--json')
    args[args.indexOf(MICRO_MODEL)] = SHIPPED_MODEL
    const child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: testEnv()
    })
    let out = ''
    child.stdout!.on('data', (d) => (out += d))
    const done = exited(child)
    await until(() => predictionCount(dataDir) > 0, 'the first stored batch')
    child.kill('SIGINT')
    expect((await done).code).toBe(130)
    const summary = JSON.parse(out.trim().split('\n').at(-1)!)
    expect(summary).toMatchObject({ state: 'cancelled', failed: 0 })
    expect(summary.done).toBeLessThan(300)
    expect(summary.done).toBe(predictionCount(dataDir))
  })

  it('F7: a half-written cache file of a killed run is removed when the next run starts', async () => {
    const dataset = await noiseFaces(join(await tempDir('pf-proc-tmp-'), 'faces'), 8)
    const dataDir = await tempDir('pf-proc-tmp-home-')
    const folder = join(dataDir, 'cache', 'generated', 'pfvit-micro-test', 'ab')
    await mkdir(folder, { recursive: true })
    // Named as the killed run's writer named it, with its (now dead) pid.
    const script = `require('node:fs').writeFileSync(${JSON.stringify(join(folder, 'abcd.png'))} + '.' + process.pid + '.x7.tmp', 'half'); process.kill(process.pid, 'SIGKILL')`
    spawnSync(process.execPath, ['-e', script])
    expect((await readdir(folder)).filter((n) => n.endsWith('.tmp'))).toHaveLength(1)
    const r = spawnSync(process.execPath, [CLI, ...inferArgs(dataset, dataDir)], { encoding: 'utf8', env: testEnv() })
    expect(r.status, r.stderr).toBe(0)
    expect((await readdir(folder)).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('F8: a FERPlus source export killed at any step leaves the old set or the new one, never a mix', async () => {
    const dataset = join(await tempDir('pf-proc-set-'), 'ferplus')
    await buildFerplusShaped(dataset)
    const dataDir = await tempDir('pf-proc-set-home-')
    const fresh = await Promise.all(FERPLUS_LABEL_FILES.map((f) => readFile(join(dataset, f), 'utf8')))
    const old = FERPLUS_LABEL_FILES.map((f) => `old ${f}\n`)
    const outcomes: string[] = []
    for (let step = 1; ; step++) {
      const out = join(dataDir, `export-${step}`)
      for (const [i, file] of FERPLUS_LABEL_FILES.entries()) {
        await mkdir(join(out, file, '..'), { recursive: true })
        await writeFile(join(out, file), old[i])
      }
      const exportArgs = ['export', dataset, '--format', 'source', '--out', out, '--data-dir', dataDir]
      const killed = spawnSync(process.execPath, ['--require', KILL_AT_RENAME, CLI, ...exportArgs, '--force'], {
        encoding: 'utf8',
        env: { ...testEnv(), PF_KILL_AT_RENAME: String(step), PF_KILL_UNDER: out }
      })
      // The next export into the folder finishes or undoes the interrupted one first (then refuses: no --force).
      const next = spawnSync(process.execPath, [CLI, ...exportArgs], { encoding: 'utf8', env: testEnv() })
      expect(next.status, next.stderr).toBe(6)
      const now = await Promise.all(FERPLUS_LABEL_FILES.map((f) => readFile(join(out, f), 'utf8')))
      const state = now.every((t, i) => t === fresh[i]) ? 'new' : now.every((t, i) => t === old[i]) ? 'old' : 'mixed'
      expect(state, `killed before rename ${step}: ${JSON.stringify(now)}`).not.toBe('mixed')
      expect((await readdir(out)).filter((n) => n.startsWith('.pokerface-export-') || n.endsWith('.tmp'))).toEqual([])
      if (killed.signal !== 'SIGKILL') {
        expect(killed.status, killed.stderr).toBe(0) // past the last step: an ordinary export
        expect(state).toBe('new')
        break
      }
      outcomes.push(state)
      await rm(out, { recursive: true })
    }
    // Killed at every step: before the commit point the old set stays, after it the new one is completed.
    expect(outcomes[0]).toBe('old')
    expect(outcomes.at(-1)).toBe('new')
  })
})
