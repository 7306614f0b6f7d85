import { mkdir, rm, symlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { resolveDatasetRoot, scanDataset } from '@main/datasets/scan'
import { openDb } from '@main/store/db'
import { MIGRATIONS } from '@main/store/migrations'
import { getDatasetSummary } from '@main/store/datasets'
import { labelHistory, setLabels } from '@main/store/labels'
import { listProblems, querySamples } from '@main/store/samples'
import type { ScanProgress } from '@shared/types'
import { tempDir, writePng } from '../helpers/data'

async function messyDataset(): Promise<string> {
  const root = await tempDir('pf-scan-')
  await writePng(join(root, 'train', 'happy', 'a.png'), 10)
  await writePng(join(root, 'train', 'happy', 'b.png'), 20)
  await writePng(join(root, 'train', 'angry', 'c.png'), 30)
  await writePng(join(root, 'test', 'Surprised faces', 'ü ñ 名前.png'), 40)
  await writePng(join(root, 'loose.png'), 50)
  await writeFile(join(root, 'train', 'happy', 'empty.png'), '')
  await writeFile(join(root, 'train', 'happy', 'notes.png'), 'not really a png')
  await writeFile(join(root, 'readme.txt'), 'hello')
  await writeFile(join(root, '.DS_Store'), 'junk')
  return root
}

describe('scanning a folder', () => {
  it('reads labels, splits and odd names, lists bad files with reasons, and reports progress', async () => {
    const root = await messyDataset()
    const db = openDb(':memory:')
    const progress: ScanProgress[] = []
    const { datasetId, report } = await scanDataset(db, root, (p) => progress.push(p))
    expect(report.added).toBe(5)
    const samples = querySamples(db, datasetId, {}, 0, 100).samples
    expect(samples.map((s) => [s.relPath, s.split, s.originalLabel])).toEqual([
      ['loose.png', null, null],
      ['test/Surprised faces/ü ñ 名前.png', 'test', 'Surprised faces'],
      ['train/angry/c.png', 'train', 'anger'],
      ['train/happy/a.png', 'train', 'happiness'],
      ['train/happy/b.png', 'train', 'happiness']
    ])
    expect(listProblems(db, datasetId)).toEqual([
      { relPath: 'train/happy/empty.png', kind: 'error', reason: 'empty file (0 bytes)' },
      { relPath: 'train/happy/notes.png', kind: 'error', reason: expect.stringMatching(/^not an image/) },
      { relPath: '.', kind: 'ignored', reason: 'hidden (name starts with a dot), not opened: .DS_Store' },
      { relPath: 'readme.txt', kind: 'ignored', reason: 'not an image file (.txt)' }
    ])
    expect(progress.at(0)?.phase).toBe('listing')
    expect(progress.at(-1)).toMatchObject({ phase: 'done', done: 7, total: 7 })
    expect(getDatasetSummary(db, datasetId)).toMatchObject({ sampleCount: 5, problemCount: 2, splits: ['train', 'test'] })
  })

  it('rescans incrementally: added, removed, changed and untouched files, labels kept', async () => {
    const root = await messyDataset()
    const db = openDb(':memory:')
    const { datasetId } = await scanDataset(db, root)
    const a = querySamples(db, datasetId, {}, 0, 100).samples.find((s) => s.relPath === 'train/happy/a.png')!
    setLabels(db, datasetId, [a.id], 'fear')

    await rm(join(root, 'train', 'happy', 'b.png'))
    await writePng(join(root, 'train', 'happy', 'new.png'), 60)
    await writePng(join(root, 'train', 'happy', 'a.png'), 99, 64) // new content, same path
    await utimes(join(root, 'loose.png'), new Date(), new Date(Date.now() + 5000)) // touched only

    const { report } = await scanDataset(db, root)
    expect(report).toMatchObject({ added: 1, removed: 1, changed: 1, unchanged: 3 })
    const after = querySamples(db, datasetId, {}, 0, 100).samples
    expect(after.map((s) => s.relPath)).not.toContain('train/happy/b.png')
    expect(after.find((s) => s.id === a.id)?.currentLabel).toBe('fear')

    await writePng(join(root, 'train', 'happy', 'b.png'), 20) // comes back
    const third = await scanDataset(db, root)
    expect(third.report).toMatchObject({ added: 0, changed: 1, removed: 0 })
  })

  it('says a folder with no images has none, and refuses files and missing paths clearly', async () => {
    const root = await tempDir('pf-empty-')
    await writeFile(join(root, 'labels.csv'), 'x')
    const db = openDb(':memory:')
    const { datasetId } = await scanDataset(db, root)
    expect(getDatasetSummary(db, datasetId)?.sampleCount).toBe(0)
    await expect(resolveDatasetRoot(join(root, 'nope'))).rejects.toThrow(/Folder not found/)
    await expect(resolveDatasetRoot(join(root, 'labels.csv'))).rejects.toThrow(/is a file, not a folder/)
  })

  it('does not follow links out of the dataset folder', async () => {
    const outside = await tempDir('pf-outside-')
    await writePng(join(outside, 'secret.png'))
    const root = await tempDir('pf-link-')
    await mkdir(join(root, 'happy'))
    await symlink(outside, join(root, 'happy', 'elsewhere'))
    const db = openDb(':memory:')
    const { datasetId, report } = await scanDataset(db, root)
    expect(report.added).toBe(0)
    expect(listProblems(db, datasetId)).toEqual([
      { relPath: 'happy/elsewhere', kind: 'ignored', reason: 'symbolic link leads outside the dataset folder' }
    ])
  })
})

describe('datasets stored before formats existed', () => {
  it('upgrade in place: samples, labels, history and problems kept; the next open reads the format', async () => {
    const root = await messyDataset()
    const file = join(await tempDir('pf-old-db-'), 'pf.sqlite')
    // A database as the app left it before dataset formats (schema 2), with a relabelled sample.
    const old = new Database(file)
    for (const sql of MIGRATIONS.slice(0, 2)) old.exec(sql)
    old.pragma('user_version = 2')
    old.prepare(`INSERT INTO datasets (id, root, name, created_at, opened_at) VALUES (1, ?, 'old', 'then', 'then')`).run(root)
    old
      .prepare(
        `INSERT INTO samples (id, dataset_id, rel_path, size, mtime_ms, content_hash, split, original_label, current_label)
         VALUES (1, 1, 'train/happy/a.png', 1, 1, 'x', 'train', 'happiness', 'fear')`
      )
      .run()
    old
      .prepare(
        `INSERT INTO label_events (sample_id, old_label, new_label, source, created_at) VALUES (1, 'happiness', 'fear', 'user', 'then')`
      )
      .run()
    old.prepare(`INSERT INTO scan_problems VALUES (1, 'readme.txt', 'ignored', 'not an image file (.txt)')`).run()
    old.close()

    const db = openDb(file)
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
    expect(listProblems(db, 1)).toEqual([{ relPath: 'readme.txt', kind: 'ignored', reason: 'not an image file (.txt)' }])
    const { format, report } = await scanDataset(db, root)
    expect(format).toMatchObject({ format: 'imagefolder', chosenBy: 'detection' })
    expect(report).toMatchObject({ added: 4, changed: 1 })
    const a = querySamples(db, 1, {}, 0, 100).samples.find((s) => s.relPath === 'train/happy/a.png')
    expect(a).toMatchObject({ id: 1, originalLabel: 'happiness', currentLabel: 'fear' })
    expect(labelHistory(db, 1).map((e) => e.source)).toEqual(['user'])
  })
})
