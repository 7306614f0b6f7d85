import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDb, type Db } from '@main/store/db'
import { MIGRATIONS } from '@main/store/migrations'
import { ensureDataset } from '@main/store/datasets'
import { labelHistory, setLabels } from '@main/store/labels'
import { getUndoState, redo, undo } from '@main/store/reviewLog'
import { applyScanChanges, querySamples } from '@main/store/samples'
import { tempDir } from '../helpers/data'

function seed(db: Db, root = '/data/set'): { datasetId: number; ids: number[] } {
  const datasetId = ensureDataset(db, root)
  const file = (relPath: string, originalLabel: string | null) => ({
    relPath,
    size: 10,
    mtimeMs: 1,
    contentHash: relPath,
    split: null,
    originalLabel
  })
  applyScanChanges(db, datasetId, {
    added: [file('a.png', 'anger'), file('b.png', 'happiness'), file('c.png', null)],
    changed: [],
    touched: [],
    removedIds: [],
    problems: []
  })
  const ids = querySamples(db, datasetId, {}, 0, 10).samples.map((s) => s.id)
  return { datasetId, ids }
}

const labels = (db: Db, datasetId: number) => querySamples(db, datasetId, {}, 0, 10).samples.map((s) => s.currentLabel)

describe('store', () => {
  it('creates the schema with WAL and foreign keys, versioned', async () => {
    const db = openDb(join(await tempDir(), 'pf.sqlite'))
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
  })

  it('refuses a database from a newer version instead of damaging it', async () => {
    const file = join(await tempDir(), 'pf.sqlite')
    const db = openDb(file)
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`)
    db.close()
    expect(() => openDb(file)).toThrow(/newer PokerFace Studio/)
  })

  it('records every label change as an event and filters by current, original and changed', () => {
    const db = openDb(':memory:')
    const { datasetId, ids } = seed(db)
    setLabels(db, datasetId, [ids[0], ids[2]], 'sadness')
    expect(labels(db, datasetId)).toEqual(['sadness', 'happiness', 'sadness'])
    expect(querySamples(db, datasetId, { changedOnly: true }, 0, 10).total).toBe(2)
    expect(querySamples(db, datasetId, { originalLabel: null }, 0, 10).samples.map((s) => s.id)).toEqual([ids[2]])
    expect(querySamples(db, datasetId, { currentLabel: 'sadness' }, 0, 10).total).toBe(2)
    expect(labelHistory(db, ids[0])).toMatchObject([{ oldLabel: 'anger', newLabel: 'sadness', source: 'user' }])
  })

  it('undoes and redoes whole actions, and a new action discards the redo stack', () => {
    const db = openDb(':memory:')
    const { datasetId, ids } = seed(db)
    setLabels(db, datasetId, [ids[0], ids[1]], 'fear')
    setLabels(db, datasetId, [ids[1]], 'neutral')
    expect(labels(db, datasetId)).toEqual(['fear', 'neutral', null])
    expect(undo(db, datasetId).sampleIds).toEqual([ids[1]])
    expect(labels(db, datasetId)).toEqual(['fear', 'fear', null])
    undo(db, datasetId)
    expect(labels(db, datasetId)).toEqual(['anger', 'happiness', null])
    expect(undo(db, datasetId)).toEqual({ sampleIds: [], canUndo: false, canRedo: true, step: null })
    redo(db, datasetId)
    expect(labels(db, datasetId)).toEqual(['fear', 'fear', null])
    setLabels(db, datasetId, [ids[2]], 'contempt')
    expect(getUndoState(db, datasetId)).toEqual({ canUndo: true, canRedo: false })
    expect(redo(db, datasetId).sampleIds).toEqual([])
    expect(labelHistory(db, ids[1]).map((e) => e.source)).toEqual(['user', 'user', 'undo', 'undo', 'redo'])
  })

  it('makes no undo step for removing a label a sample does not have', () => {
    const db = openDb(':memory:')
    const { datasetId, ids } = seed(db)
    expect(setLabels(db, datasetId, [ids[2]], null)).toEqual({ sampleIds: [], canUndo: false, canRedo: false, step: null })
  })

  it('#16.9: confirms a label that is already set: the keep mark, one undo step, no label event', () => {
    const db = openDb(':memory:')
    const { datasetId, ids } = seed(db)
    expect(setLabels(db, datasetId, [ids[0]], 'anger')).toEqual({
      sampleIds: [ids[0]],
      canUndo: true,
      canRedo: false,
      step: { summary: 'confirmed a.png as anger', sampleId: ids[0] }
    })
    expect(labelHistory(db, ids[0])).toEqual([])
    expect(db.prepare('SELECT flag FROM flags WHERE sample_id = ?').pluck().all(ids[0])).toEqual(['keep'])
    // Confirmed again: already kept, so nothing changes and no step is added.
    expect(setLabels(db, datasetId, [ids[0]], 'anger').step).toBeNull()
    undo(db, datasetId)
    expect(db.prepare('SELECT flag FROM flags WHERE sample_id = ?').pluck().all(ids[0])).toEqual([])
  })

  it('refuses samples of another dataset and changes nothing', () => {
    const db = openDb(':memory:')
    const a = seed(db, '/a')
    const b = seed(db, '/b')
    expect(() => setLabels(db, a.datasetId, [a.ids[0], b.ids[0]], 'fear')).toThrow(/do not belong/)
    expect(labels(db, a.datasetId)).toEqual(['anger', 'happiness', null])
  })

  it('keeps labels and undo history across a restart', async () => {
    const file = join(await tempDir(), 'pf.sqlite')
    let db = openDb(file)
    const { datasetId, ids } = seed(db)
    setLabels(db, datasetId, [ids[0]], 'surprise')
    setLabels(db, datasetId, [ids[1]], 'surprise')
    db.close()
    db = openDb(file)
    expect(labels(db, datasetId)).toEqual(['surprise', 'surprise', null])
    undo(db, datasetId)
    expect(labels(db, datasetId)).toEqual(['surprise', 'happiness', null])
  })
})
