import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { scanDataset } from '@main/datasets/scan'
import { exportDataset } from '@main/datasets/exportDataset'
import { NEAR_DUPLICATE_SCORE } from '@main/duplicates/nearSearch'
import { openDb } from '@main/store/db'
import { querySamples } from '@main/store/samples'
import { groupMembers } from '@main/store/duplicates'
import { keepOneDuplicate } from '@main/store/marks'
import { undo } from '@main/store/reviewLog'
import { tempDir } from '../helpers/data'
import { DUPLICATED_FACE, duplicatesDataset, FACE_COPIES } from '../helpers/duplicates'

describe('duplicates found at scan time', () => {
  it('keeps identical files as separate samples and groups them with their re-encoded and mirrored copies', async () => {
    const root = await tempDir('pf-dups-')
    await duplicatesDataset(root)
    const db = openDb(':memory:')
    const { datasetId, report } = await scanDataset(db, root)
    // 23 fixture faces and 3 copies: identical files are samples of their own, each with its path.
    expect(report.added).toBe(26)
    expect(querySamples(db, datasetId, {}, 0, 100).total).toBe(26)

    const queue = querySamples(db, datasetId, { duplicates: 'any' }, 0, 100).samples
    expect(queue.map((s) => s.relPath).sort()).toEqual(
      [DUPLICATED_FACE, FACE_COPIES.bytes, FACE_COPIES.reencoded, FACE_COPIES.mirroredShifted].sort()
    )
    const byPath = new Map(queue.map((s) => [s.relPath, s.duplicate]))
    expect(new Set(queue.map((s) => s.duplicate?.group)).size).toBe(1)
    expect(byPath.get(FACE_COPIES.bytes)).toMatchObject({ size: 4, exact: true, crossSplit: true, labelsDisagree: true })
    expect(byPath.get(FACE_COPIES.reencoded)?.exact).toBe(true)
    // The mirrored, shifted JPEG is a near duplicate: the same face, not the same pixels.
    expect(byPath.get(FACE_COPIES.mirroredShifted)?.exact).toBe(false)
    // The grouping keeps the pair it was made from, with the verifier's score: here the only one.
    const pairs = db.prepare('SELECT score FROM near_duplicate_pairs WHERE dataset_id = ?').pluck().all(datasetId) as number[]
    expect(pairs).toHaveLength(1)
    expect(pairs[0]).toBeGreaterThanOrEqual(NEAR_DUPLICATE_SCORE)
    expect(querySamples(db, datasetId, { duplicates: 'leakage' }, 0, 100).total).toBe(4)
    expect(querySamples(db, datasetId, { duplicates: 'disagree' }, 0, 100).total).toBe(4)

    // The cleaned export has a row for each file, identical ones included.
    const dataset = {
      id: datasetId,
      root,
      name: 'dups',
      formatInfo: () => {
        throw new Error('not asked for csv')
      }
    }
    const out = join(await tempDir('pf-dups-out-'), 'labels.csv')
    await exportDataset(db, dataset, { format: 'csv', path: out, overwrite: false })
    const rows = (await readFile(out, 'utf8')).trim().split('\n').slice(1)
    expect(rows).toHaveLength(26)
    expect(rows.some((r) => r.startsWith(FACE_COPIES.bytes))).toBe(true)
  })

  it('keeps one face of a group and excludes the others as one undoable step that the export follows', async () => {
    const root = await tempDir('pf-dups-keep-')
    await duplicatesDataset(root)
    const db = openDb(':memory:')
    const { datasetId } = await scanDataset(db, root)
    const queue = querySamples(db, datasetId, { duplicates: 'any' }, 0, 100).samples
    const kept = queue.find((s) => s.relPath === FACE_COPIES.reencoded)
    if (!kept) throw new Error('the re-encoded copy is not in the queue')
    const { members } = groupMembers(db, kept.id)
    expect(members).toHaveLength(4)
    const result = keepOneDuplicate(db, datasetId, kept.id, members, kept.relPath)
    expect(result.step?.summary).toBe(`kept ${FACE_COPIES.reencoded} of its duplicates, excluded 3 others`)
    const marks = () =>
      new Map(querySamples(db, datasetId, { duplicates: 'any' }, 0, 100).samples.map((s) => [s.relPath, s.marks ?? []]))
    expect(marks().get(FACE_COPIES.reencoded)).toEqual([])
    expect(marks().get(DUPLICATED_FACE)).toEqual(['exclude'])
    const dataset = {
      id: datasetId,
      root,
      name: 'dups',
      formatInfo: () => {
        throw new Error('not asked for csv')
      }
    }
    const exported = async (): Promise<string[]> => {
      const out = join(await tempDir('pf-dups-keep-out-'), 'labels.csv')
      await exportDataset(db, dataset, { format: 'csv', path: out, overwrite: false })
      return (await readFile(out, 'utf8'))
        .trim()
        .split('\n')
        .slice(1)
        .map((r) => r.split(',')[0])
    }
    const rows = await exported()
    expect(rows).toHaveLength(23)
    expect(rows).toContain(FACE_COPIES.reencoded)
    expect(rows).not.toContain(DUPLICATED_FACE)
    expect(undo(db, datasetId).step?.summary).toBe(result.step?.summary)
    expect([...marks().values()].every((m) => m.length === 0)).toBe(true)
    expect(await exported()).toHaveLength(26)
  })
})
