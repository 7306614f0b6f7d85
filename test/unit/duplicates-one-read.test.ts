import { readFile, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { scanDataset } from '@main/datasets/scan'
import { FINGERPRINT_ALGORITHM, fingerprintImage } from '@main/duplicates/fingerprint'
import { openDb } from '@main/store/db'
import type { ScanProgress } from '@shared/types'
import { tempDir } from '../helpers/data'
import { DUPLICATED_FACE, duplicatesDataset, FACE_COPIES } from '../helpers/duplicates'

/**
 * Issue 17: the duplicate search decodes the bytes the scan has just read and hashed, instead of
 * reading every file again after the scan. Seen from outside: no separate fingerprinting pass.
 */
describe('duplicate fingerprints from the scan’s own read', () => {
  it('a first open fingerprints every content while reading, with no second pass, as the files decode', async () => {
    const root = await tempDir('pf-dups-oneread-')
    await duplicatesDataset(root)
    const db = openDb(':memory:')
    const phases = new Set<ScanProgress['phase']>()
    await scanDataset(db, root, (p) => phases.add(p.phase))
    expect(phases.has('reading')).toBe(true)
    expect(phases.has('fingerprinting')).toBe(false)
    // 26 files, 25 contents: the byte-for-byte copy is decoded once.
    expect(db.prepare('SELECT count(*) FROM image_fingerprints').pluck().get()).toBe(25)
    const stored = db.prepare(
      `SELECT f.pixel_hash AS pixelHash, f.thumb FROM image_fingerprints f
         JOIN samples s ON s.content_hash = f.content_hash WHERE s.rel_path = ? AND f.algorithm = ?`
    )
    for (const relPath of [DUPLICATED_FACE, FACE_COPIES.reencoded, FACE_COPIES.mirroredShifted]) {
      const expected = await fingerprintImage(await readFile(join(root, relPath)))
      const row = stored.get(relPath, FINGERPRINT_ALGORITHM) as { pixelHash: string; thumb: Buffer }
      expect(row.pixelHash).toBe(expected.pixelHash)
      expect(new Uint8Array(row.thumb)).toEqual(expected.thumb)
    }
  })

  it('a scan cancelled after reading stores no samples but keeps the fingerprints, so the next open decodes nothing', async () => {
    const root = await tempDir('pf-dups-oneread-cancel-')
    await duplicatesDataset(root)
    const db = openDb(':memory:')
    const cancel = new AbortController()
    const cancelWhenSaving = (p: ScanProgress): void => {
      if (p.phase === 'saving') cancel.abort(new Error('cancelled'))
    }
    await expect(scanDataset(db, root, cancelWhenSaving, {}, { signal: cancel.signal })).rejects.toThrow('cancelled')
    expect(db.prepare('SELECT count(*) FROM samples').pluck().get()).toBe(0)
    expect(db.prepare('SELECT count(*) FROM image_fingerprints').pluck().get()).toBe(25)
    // Marked, so a fingerprint decoded again (stored again) would show.
    db.prepare(`UPDATE image_fingerprints SET created_at = 'from the cancelled scan'`).run()

    const phases = new Set<ScanProgress['phase']>()
    const { report } = await scanDataset(db, root, (p) => phases.add(p.phase))
    expect(report.added).toBe(26)
    expect(phases.has('fingerprinting')).toBe(false)
    // Not decoded again: the rows are the ones the cancelled scan stored.
    expect(db.prepare(`SELECT DISTINCT created_at FROM image_fingerprints`).pluck().all()).toEqual(['from the cancelled scan'])
  })

  it('a file read again with the same content (only its time moved) is not decoded again', async () => {
    const root = await tempDir('pf-dups-oneread-touch-')
    await duplicatesDataset(root)
    const db = openDb(':memory:')
    await scanDataset(db, root)
    db.prepare(`UPDATE image_fingerprints SET created_at = 'first open'`).run()
    const later = new Date(Date.now() + 60_000)
    await utimes(join(root, FACE_COPIES.reencoded), later, later)
    const { report } = await scanDataset(db, root)
    expect(report).toMatchObject({ added: 0, changed: 0, unchanged: 26 })
    expect(db.prepare(`SELECT DISTINCT created_at FROM image_fingerprints`).pluck().all()).toEqual(['first open'])
  })
})
