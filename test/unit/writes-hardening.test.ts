import { spawn, spawnSync } from 'node:child_process'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { closeContext, createContext } from '@main/api/context'
import { createApiHandlers } from '@main/api/service'
import { isProcessAlive, keepBackupOf, sweepStaleTemporaries } from '@main/files/atomicWrite'
import { writeFileAtomic } from '@main/fsutil'
import { writeFileSet } from '@main/files/fileSet'
import { backupNameFor, parseTempName, tempNameFor } from '@main/files/writeNames'
import { DataFolderBusyError, HOLDER_FILE, LOCK_FILE, lockDataFolder } from '@main/store/dataFolderLock'
import { tempDir } from '../helpers/data'
import { buildFerplusShaped, FERPLUS_LABEL_FILES } from '../helpers/ferplusShaped'
import { MICRO_MODEL } from '../helpers/models'

/** The pid of a process that existed and is gone: what a killed writer leaves in a file name. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout
  return Number(pid)
}

/** Runs `script` in a real Node process that writes a temporary the way the app names them, then is killed. */
function killedWriter(target: string): string {
  const script = `
    const fs = require('node:fs')
    fs.writeFileSync(${JSON.stringify(target)} + '.' + process.pid + '.k1ll3d.tmp', 'half of a file')
    process.kill(process.pid, 'SIGKILL')`
  const r = spawnSync(process.execPath, ['-e', script])
  expect(r.signal).toBe('SIGKILL')
  return target
}

describe('names of temporaries and backups', () => {
  it('a temporary names its target and writer; anything else is not ours', () => {
    expect(parseTempName(tempNameFor('labels.csv', 4242, 'abc123'))).toEqual({ target: 'labels.csv', pid: 4242 })
    expect(parseTempName('labels.csv')).toBeNull()
    expect(parseTempName('notes.tmp')).toBeNull()
  })

  it('backups carry milliseconds, and a counter after the first attempt', () => {
    const at = new Date('2025-03-04T05:06:07.089Z')
    expect(backupNameFor('a.csv', at, 1)).toBe('a.csv.20250304-050607-089.bak')
    expect(backupNameFor('a.csv', at, 3)).toBe('a.csv.20250304-050607-089-3.bak')
  })
})

describe('F7: what a killed writer leaves behind', () => {
  it('F7: the temporary of a killed export is removed by the next export into that folder; backups stay', async () => {
    const root = await tempDir('pf-f7-')
    const { writePng } = await import('../helpers/data')
    await writePng(join(root, 'happy', 'a.png'))
    const ctx = createContext(await tempDir('pf-f7-home-'), '0.0.0')
    const api = createApiHandlers(ctx)
    const { dataset } = await api.openDataset({ root })
    const out = join(await tempDir('pf-f7-out-'), 'labels.csv')
    // An earlier process exported here and was killed while writing the next version.
    await writeFile(out, 'an earlier export')
    const backup = `${out}.20240101-000000-000.bak`
    await writeFile(backup, 'an older export')
    killedWriter(out)
    const live = tempNameFor(out, process.pid, 'inflight') // a write of this very process, in flight
    await writeFile(live, 'being written')

    const replaced = await api.exportLabels({ datasetId: dataset.id, format: 'csv', path: out, overwrite: true })
    const left = (await readdir(join(out, '..'))).sort()
    expect(left.filter((n) => n.endsWith('.tmp'))).toEqual([live.split('/').at(-1)])
    expect(left).toContain(backup.split('/').at(-1))
    expect(left).toContain(replaced.backupPath!.split('/').at(-1))
    expect(await readFile(backup, 'utf8')).toBe('an older export')
    await closeContext(ctx)
  })

  it('F7: the start-of-run sweep removes a killed run’s half-written cache file, not a live one', async () => {
    const cache = join(await tempDir('pf-f7-cache-'), 'cache', 'generated')
    const sheet = join(cache, 'pfvit-micro-test', 'ab', 'abcdef.png')
    await mkdir(join(sheet, '..'), { recursive: true })
    killedWriter(sheet)
    const live = tempNameFor(join(cache, 'pfvit-micro-test', 'ab', 'abff.png'), process.pid, 'x')
    await writeFile(live, '…')
    await writeFile(sheet, 'a whole sheet')
    const removed = await sweepStaleTemporaries(cache, { recursive: true })
    expect(removed).toHaveLength(1)
    expect(removed[0]).toMatch(/abcdef\.png\.\d+\.k1ll3d\.tmp$/)
    expect((await readdir(join(sheet, '..'))).sort()).toEqual(['abcdef.png', live.split('/').at(-1)])
  })
})

describe('F9: backups never overwrite each other', () => {
  it('F9: four backups made within one second are four files, each holding its version', async () => {
    const path = join(await tempDir('pf-f9-'), 'labels.csv')
    for (let v = 1; v <= 5; v++) await writeFileAtomic(path, `version ${v}\n`, { keepBackup: true })
    const backups = (await readdir(join(path, '..'))).filter((n) => n.endsWith('.bak'))
    expect(backups).toHaveLength(4)
    const kept = await Promise.all(backups.map((n) => readFile(join(path, '..', n), 'utf8')))
    expect(kept.sort()).toEqual(['version 1\n', 'version 2\n', 'version 3\n', 'version 4\n'])
  })

  it('F9: even within one millisecond (same clock reading) each backup gets its own name', async () => {
    const path = join(await tempDir('pf-f9-ms-'), 'labels.csv')
    const now = new Date()
    const names: string[] = []
    for (let v = 1; v <= 4; v++) {
      await writeFile(path, `version ${v}\n`)
      names.push(await keepBackupOf(path, now))
    }
    expect(new Set(names).size).toBe(4)
    expect(await Promise.all(names.map((n) => readFile(n, 'utf8')))).toEqual([
      'version 1\n',
      'version 2\n',
      'version 3\n',
      'version 4\n'
    ])
  })
})

describe('F8: a multi-file source export lands as a set', () => {
  async function ferplusExport() {
    const root = await tempDir('pf-f8-')
    await buildFerplusShaped(root)
    const ctx = createContext(await tempDir('pf-f8-home-'), '0.0.0')
    const api = createApiHandlers(ctx)
    const { dataset } = await api.openDataset({ root })
    const out = join(await tempDir('pf-f8-out-'), 'labels')
    return { ctx, api, dataset, root, out }
  }

  it('F8: when one file of the set cannot be replaced, none is, and the message says why', async () => {
    const { ctx, api, dataset, out } = await ferplusExport()
    for (const file of FERPLUS_LABEL_FILES.slice(0, 2)) {
      await mkdir(join(out, file, '..'), { recursive: true })
      await writeFile(join(out, file), `old ${file}\n`)
    }
    // The last file's place is taken by a folder: the old code replaced Train and Valid, then failed on Test.
    await mkdir(join(out, FERPLUS_LABEL_FILES[2]), { recursive: true })
    await expect(api.exportLabels({ datasetId: dataset.id, format: 'source', path: out, overwrite: true })).rejects.toThrow(
      /FER2013Test.label\.csv exists and is not a file; nothing was written/
    )
    for (const file of FERPLUS_LABEL_FILES.slice(0, 2)) expect(await readFile(join(out, file), 'utf8')).toBe(`old ${file}\n`)
    expect((await readdir(out)).filter((n) => n.startsWith('.pokerface-export-'))).toEqual([])
    await closeContext(ctx)
  })

  it('F8: a set whose writer was killed after its commit point is completed by the next export; before it, undone', async () => {
    const { ctx, api, dataset, out } = await ferplusExport()
    const written = await api.exportLabels({ datasetId: dataset.id, format: 'source', path: out, overwrite: false })
    expect(written.files!.sort()).toEqual(FERPLUS_LABEL_FILES.map((f) => join(out, f)).sort())
    const fresh = await Promise.all(FERPLUS_LABEL_FILES.map((f) => readFile(join(out, f), 'utf8')))

    // What a killed writer leaves, laid out as writeFileSet lays it out (the kill itself is in
    // test/e2e/cli-processes.test.ts): a committed staging folder with Test still staged…
    const pid = deadPid()
    const committed = join(out, `.pokerface-export-${pid}-aaaa`)
    await mkdir(join(committed, 'files', 'FER2013Test'), { recursive: true })
    await writeFile(join(committed, 'files', 'FER2013Test', 'label.csv'), 'test from the killed export\n')
    await writeFile(join(committed, 'journal.json'), JSON.stringify({ version: 1, relPaths: FERPLUS_LABEL_FILES, backups: [] }))
    // …and an uncommitted one, whose files must never land.
    const uncommitted = join(out, `.pokerface-export-${pid}-bbbb`)
    await mkdir(join(uncommitted, 'files', 'FER2013Train'), { recursive: true })
    await writeFile(join(uncommitted, 'files', 'FER2013Train', 'label.csv'), 'never committed\n')

    await expect(
      api.exportLabels({ datasetId: dataset.id, format: 'source', path: out, overwrite: false })
    ).rejects.toMatchObject({
      code: 'exists'
    })
    expect(await readFile(join(out, 'FER2013Test', 'label.csv'), 'utf8')).toBe('test from the killed export\n')
    expect(await readFile(join(out, 'FER2013Train', 'label.csv'), 'utf8')).toBe(fresh[0])
    expect((await readdir(out)).filter((n) => n.startsWith('.pokerface-export-'))).toEqual([])
    await closeContext(ctx)
  })

  it('F8: replacing a set keeps one backup per replaced file and leaves no staging behind', async () => {
    const { ctx, api, dataset, out } = await ferplusExport()
    await api.exportLabels({ datasetId: dataset.id, format: 'source', path: out, overwrite: false })
    const again = await api.exportLabels({ datasetId: dataset.id, format: 'source', path: out, overwrite: true })
    expect(again.backups).toHaveLength(3)
    for (const file of FERPLUS_LABEL_FILES)
      expect(again.backups!.filter((b) => b.startsWith(join(out, file) + '.'))).toHaveLength(1)
    expect((await readdir(out)).sort()).toEqual(['FER2013Test', 'FER2013Train', 'FER2013Valid'])
    await closeContext(ctx)
  })
})

describe('F6: one inference run per data folder', () => {
  it('F6: a second lock on a data folder is refused with who holds it; released, it can be taken again', async () => {
    const dataDir = await tempDir('pf-lock-')
    const first = lockDataFolder(dataDir, 'an inference run on /data/a')
    // A second connection in this process stands for a second process: SQLite locks per connection.
    const other = join(dataDir, '..', 'pf-lock-link')
    await rm(other, { force: true })
    let refused: unknown = null
    try {
      // Same folder under another key (a symlink) reaches the real lock, not the in-process count.
      await import('node:fs/promises').then((fs) => fs.symlink(dataDir, other))
      lockDataFolder(other, 'an inference run on /data/b')
    } catch (err) {
      refused = err
    }
    expect(refused).toBeInstanceOf(DataFolderBusyError)
    expect((refused as Error).message).toMatch(
      new RegExp(`in use by an inference run on /data/a \\(pid ${process.pid}, since \\d{4}-.+\\): one inference run at a time`)
    )
    first.release()
    expect(JSON.parse(await readFile(join(dataDir, HOLDER_FILE), 'utf8').catch(() => 'null'))).toBeNull()
    lockDataFolder(other, 'an inference run on /data/b').release()
    await rm(other, { force: true })
  })

  it('F6: a run that fails before it starts (its database refuses the write) leaves the data folder free', async () => {
    const root = await tempDir('pf-lock-failed-data-')
    await buildFerplusShaped(root, 1)
    const ctx = createContext(await tempDir('pf-lock-failed-'), '0.0.0', { modelsDir: join(MICRO_MODEL, '..') })
    const api = createApiHandlers(ctx)
    const datasetId = (await api.openDataset({ root })).dataset.id
    // Where the run records which graphs its results come from: gone, so recording them fails.
    ctx.db.exec('DROP TABLE model_graphs')
    await expect(api.startInference({ datasetId, modelId: 'pfvit-micro-test' })).rejects.toThrow(/model_graphs/)
    expect(JSON.parse(await readFile(join(ctx.dataDir, HOLDER_FILE), 'utf8').catch(() => 'null'))).toBeNull()
    await ctx.duplicateSearches.settled(1)
    await closeContext(ctx)
  })

  it('F6: a lock held by a process that was killed is free for the next run', async () => {
    const dataDir = await tempDir('pf-lock-killed-')
    // A real process takes the lock the way the app does (an exclusive SQLite transaction on the lock file).
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))});
         const db = new D(${JSON.stringify(join(dataDir, LOCK_FILE))}, { timeout: 0 }); db.exec('BEGIN EXCLUSIVE');
         require('node:fs').writeFileSync(${JSON.stringify(join(dataDir, HOLDER_FILE))}, JSON.stringify({ pid: process.pid, host: require('node:os').hostname(), purpose: 'a run about to be killed', since: 'now' }));
         console.log('held'); setInterval(() => {}, 1000)`
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] }
    )
    await new Promise((resolve) => holder.stdout.once('data', resolve))
    expect(() => lockDataFolder(dataDir, 'the next run')).toThrow(`a run about to be killed (pid ${holder.pid}`)
    const gone = new Promise((resolve) => holder.once('exit', resolve))
    holder.kill('SIGKILL')
    await gone
    expect(isProcessAlive(holder.pid!)).toBe(false)
    const lock = lockDataFolder(dataDir, 'the next run')
    expect(JSON.parse(await readFile(join(dataDir, HOLDER_FILE), 'utf8'))).toMatchObject({
      pid: process.pid,
      purpose: 'the next run'
    })
    lock.release()
  })
})

describe('a file set written from pieces', () => {
  it('writes the pieces one after another, as one file', async () => {
    const out = await tempDir('pf-set-pieces-')
    const enc = (s: string) => new TextEncoder().encode(s)
    await writeFileSet(out, [
      { relPath: 'a/labels.csv', bytes: [enc('path,label\n'), enc('x.png,'), enc('happy\n'), new Uint8Array(0)] },
      { relPath: 'b.txt', bytes: 'plain' }
    ])
    expect(await readFile(join(out, 'a', 'labels.csv'), 'utf8')).toBe('path,label\nx.png,happy\n')
    expect(await readFile(join(out, 'b.txt'), 'utf8')).toBe('plain')
  })
})
