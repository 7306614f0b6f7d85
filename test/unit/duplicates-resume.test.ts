import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { scanDataset } from '@main/datasets/scan'
import { GROUPING, updateDuplicates } from '@main/duplicates/findDuplicates'
import { openDb } from '@main/store/db'
import { groupingProducedBy } from '@main/store/duplicates'
import { querySamples } from '@main/store/samples'
import { tempDir } from '../helpers/data'
import { duplicatesDataset, FACE_COPIES } from '../helpers/duplicates'

describe('duplicate search: stored, resumed, invalidated', () => {
  it('computes nothing again for an unchanged folder, regroups when a file goes, and recomputes under another algorithm', async () => {
    const root = await tempDir('pf-dups-resume-')
    await duplicatesDataset(root)
    const db = openDb(join(await tempDir('pf-dups-resume-db-'), 'db.sqlite'))
    const { datasetId } = await scanDataset(db, root)
    expect(groupingProducedBy(db, datasetId)).toBe(GROUPING)
    const fingerprints = () => db.prepare('SELECT count(*) FROM image_fingerprints').pluck().get() as number
    // 26 files, 25 contents: the byte-for-byte copy shares its original's.
    expect(fingerprints()).toBe(25)
    expect(await updateDuplicates(db, datasetId, root, false, () => {})).toEqual({ fingerprinted: 0, grouped: false })

    await rm(join(root, FACE_COPIES.bytes))
    await scanDataset(db, root)
    const queue = querySamples(db, datasetId, { duplicates: 'any' }, 0, 100).samples
    expect(queue.map((s) => s.relPath)).not.toContain(FACE_COPIES.bytes)
    expect(queue.every((s) => s.duplicate?.size === 3)).toBe(true)

    // Fingerprints made by another algorithm do not count: each of the 25 contents is fingerprinted
    // again. (A store from an older algorithm has its fingerprints and its grouping by that one.)
    db.prepare(`UPDATE image_fingerprints SET algorithm = 'an older one'`).run()
    db.prepare(`UPDATE duplicate_groupings SET produced_by = 'an older one near<=4'`).run()
    expect(await updateDuplicates(db, datasetId, root, false, () => {})).toEqual({ fingerprinted: 25, grouped: true })
  })

  it('a cancelled search keeps what it stored and forgets the grouping, so the next open finishes it', async () => {
    const root = await tempDir('pf-dups-cancel-')
    await duplicatesDataset(root)
    const db = openDb(':memory:')
    const { datasetId } = await scanDataset(db, root)
    // As a store made before the duplicate search existed: no fingerprints, no grouping.
    db.prepare('DELETE FROM image_fingerprints').run()
    db.prepare('DELETE FROM duplicate_groupings').run()
    const cancel = new AbortController()
    cancel.abort(new Error('cancelled'))
    await expect(updateDuplicates(db, datasetId, root, false, () => {}, cancel.signal)).rejects.toThrow('cancelled')
    expect(groupingProducedBy(db, datasetId)).toBeNull()
    expect(await updateDuplicates(db, datasetId, root, false, () => {})).toEqual({ fingerprinted: 25, grouped: true })
    expect(querySamples(db, datasetId, { duplicates: 'any' }, 0, 100).total).toBe(4)
  })
})

describe('a scan that moved samples and the grouping', () => {
  it('leaves no current grouping from its own transaction until the search after it has finished, so a kill in between regroups on the next open', async () => {
    const root = await tempDir('pf-dups-moved-')
    // FER2013 rows: pixels in the CSV, fingerprinted by the search after the scan's transaction.
    const row = (seed: number) => `3,${Array.from({ length: 48 * 48 }, (_, i) => (i * 7 + seed * 31) % 256).join(' ')},Training`
    const csv = join(root, 'fer2013.csv')
    await writeFile(csv, ['emotion,pixels,Usage', row(1), row(2), row(3)].join('\n') + '\n')
    const db = openDb(':memory:')
    const { datasetId } = await scanDataset(db, root)
    expect(groupingProducedBy(db, datasetId)).toBe(GROUPING)

    await writeFile(csv, ['emotion,pixels,Usage', row(1), row(2), row(3), row(4), row(5)].join('\n') + '\n')
    const whileSearching: (string | null)[] = []
    const { report } = await scanDataset(db, root, (p) => {
      if (p.phase === 'fingerprinting') whileSearching.push(groupingProducedBy(db, datasetId))
    })
    expect(report.added).toBe(2)
    expect(whileSearching.length).toBeGreaterThan(0)
    expect(whileSearching.every((g) => g === null)).toBe(true)
    expect(groupingProducedBy(db, datasetId)).toBe(GROUPING)
  })
})
