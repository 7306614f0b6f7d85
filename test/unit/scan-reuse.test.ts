import { stat, symlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { scanDataset } from '@main/datasets/scan'
import { openDb } from '@main/store/db'
import { querySamples } from '@main/store/samples'
import { tempDir, writePng } from '../helpers/data'

/**
 * Issue 19: a reopen whose listing (paths, sizes, modification and inode-change times, entries
 * passed over) is what the last whole scan saw, read the same way, uses that scan's reading; any
 * difference reads the folder whole, as before.
 */
async function labelledFolder(): Promise<{ root: string; labels: string }> {
  const root = await tempDir('pf-reuse-')
  await writePng(join(root, 'images', 'a.png'), 10)
  await writePng(join(root, 'images', 'b.png'), 20)
  await writePng(join(root, 'images', 'c.png'), 30) // not in the label file: shown unlabelled
  await writeFile(join(root, 'images', 'broken.png'), 'not an image') // refused, a problem
  await writeFile(join(root, 'readme.txt'), 'hello') // passed over, a problem
  const labels = join(root, 'labels.csv')
  await writeFile(labels, 'file,emotion\nimages/a.png,happy\nimages/b.png,angry\n')
  return { root, labels }
}

const labelsOf = (db: ReturnType<typeof openDb>, datasetId: number) =>
  Object.fromEntries(querySamples(db, datasetId, {}, 0, 100).samples.map((s) => [s.relPath, s.originalLabel]))

describe('reopening a folder that did not change', () => {
  it('uses the last scan: the same samples, labels and problems, said to be reused', async () => {
    const { root } = await labelledFolder()
    const db = openDb(':memory:')
    const first = await scanDataset(db, root)
    expect(first.format.format).toBe('csv')
    expect(first.report.reusedScanOf).toBeUndefined()
    const labels = labelsOf(db, first.datasetId)
    expect(labels).toEqual({ 'images/a.png': 'happiness', 'images/b.png': 'anger', 'images/c.png': null })

    const again = await scanDataset(db, root)
    expect(again.datasetId).toBe(first.datasetId)
    expect(again.report.reusedScanOf).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(again.report).toMatchObject({ added: 0, changed: 0, removed: 0, unchanged: 3 })
    expect(again.report.problems).toEqual(first.report.problems)
    expect(first.report.problems.map((p) => p.relPath)).toEqual(expect.arrayContaining(['images/broken.png', 'readme.txt']))
    expect(labelsOf(db, first.datasetId)).toEqual(labels)
  })

  it('reads whole when a label file was rewritten with the same size and modification time', async () => {
    const { root, labels } = await labelledFolder()
    const db = openDb(':memory:')
    const SOME_TIME = 1_700_000_000 // whole seconds: set twice, read back the same to the nanosecond
    await utimes(labels, SOME_TIME, SOME_TIME)
    const { datasetId } = await scanDataset(db, root)
    const before = await stat(labels)
    // Same length, labels swapped, the modification time put back: only the inode-change time moves.
    await writeFile(labels, 'file,emotion\nimages/a.png,angry\nimages/b.png,happy\n')
    await utimes(labels, SOME_TIME, SOME_TIME)
    const after = await stat(labels)
    expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs])

    const again = await scanDataset(db, root)
    expect(again.report.reusedScanOf).toBeUndefined()
    expect(labelsOf(db, datasetId)).toMatchObject({ 'images/a.png': 'anger', 'images/b.png': 'happiness' })
    // And the scan after that, with nothing changed, is reused again.
    expect((await scanDataset(db, root)).report.reusedScanOf).toBeDefined()
  })

  it('reads whole when an image is added, or when a format is asked for', async () => {
    const { root } = await labelledFolder()
    const db = openDb(':memory:')
    await scanDataset(db, root)
    await writePng(join(root, 'images', 'd.png'), 40)
    const added = await scanDataset(db, root)
    expect(added.report).toMatchObject({ added: 1 })
    expect(added.report.reusedScanOf).toBeUndefined()
    const asked = await scanDataset(db, root, () => {}, { format: 'imagefolder' })
    expect(asked.report.reusedScanOf).toBeUndefined()
    expect(asked.format.format).toBe('imagefolder')
  })

  it('never reuses a scan that met a failure worth trying again (a broken link), nor another app version', async () => {
    const { root } = await labelledFolder()
    const db = openDb(':memory:')
    await scanDataset(db, root, () => {}, {}, { appVersion: '1.0.0' })
    expect((await scanDataset(db, root, () => {}, {}, { appVersion: '1.0.0' })).report.reusedScanOf).toBeDefined()
    expect((await scanDataset(db, root, () => {}, {}, { appVersion: '1.1.0' })).report.reusedScanOf).toBeUndefined()

    await symlink(join(root, 'nowhere.png'), join(root, 'images', 'gone.png'))
    const broken = await scanDataset(db, root, () => {}, {}, { appVersion: '1.1.0' })
    expect(broken.report.problems.find((p) => p.relPath === 'images/gone.png')).toMatchObject({ kind: 'error' })
    expect((await scanDataset(db, root, () => {}, {}, { appVersion: '1.1.0' })).report.reusedScanOf).toBeUndefined()
  })
})
