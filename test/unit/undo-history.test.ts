import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiHandlers } from '@shared/api'
import type { Sample } from '@shared/types'
import { closeContext, createContext, type AppContext } from '@main/api/context'
import { behindEdge } from '@main/api/edge'
import { createApiHandlers } from '@main/api/service'
import { migrate } from '@main/store/db'
import { MIGRATIONS } from '@main/store/migrations'
import { tempDir, writePng } from '../helpers/data'
import { probs, storeKnownPredictions } from '../helpers/knownPredictions'
import { MICRO_MODEL } from '../helpers/models'

/**
 * Issue 16, "every decision is data": labels, marks, notes and accepted suggestions are one event
 * log with one undo history, through the real API on a real SQLite file. Predictions are written
 * with the store's own function, with probabilities chosen so the ranking's verdicts are known.
 */

describe('one undo history for every review decision (API + SQLite)', () => {
  let ctx: AppContext
  let api: ApiHandlers
  let dataDir: string
  let datasetId: number
  const byName = new Map<string, Sample>()

  beforeAll(async () => {
    const root = await tempDir('pf-undo-')
    const predicted: Record<string, number[]> = {
      'happy/h1': probs('happiness', 0.8),
      'happy/h2': probs('happiness', 0.85),
      'happy/h3': probs('happiness', 0.75),
      'happy/h4': probs('sadness', 0.9), // a label issue: the ranking suggests sadness
      'sad/s1': probs('sadness', 0.8),
      'sad/s2': probs('sadness', 0.7),
      'neutral/n1': probs('neutral', 0.6),
      'neutral/n2': probs('neutral', 0.65)
    }
    let shade = 10
    for (const name of Object.keys(predicted)) await writePng(join(root, `${name}.png`), (shade += 20))
    dataDir = await tempDir('pf-undo-home-')
    ctx = createContext(dataDir, '0.0.0')
    api = behindEdge(createApiHandlers(ctx))
    datasetId = (await api.openDataset({ root })).dataset.id
    for (const s of (await api.querySamples({ datasetId, filter: {}, offset: 0, limit: 100 })).samples)
      byName.set(s.relPath.replace('.png', ''), s)
    const model = await api.addModel({ folder: MICRO_MODEL })
    await storeKnownPredictions(
      ctx,
      api,
      datasetId,
      model,
      Object.entries(predicted).map(([name, p]) => [id(name), p])
    )
  })
  afterAll(async () => {
    if (ctx) await closeContext(ctx)
  })

  const id = (name: string): number => (byName.get(name) as Sample).id
  const label = async (name: string) => (await api.getSample({ sampleId: id(name) })).currentLabel
  const review = (name: string) => api.getSampleReview({ sampleId: id(name) })

  it('#16.2: after accept, keep, not-a-face and a relabel, Ctrl+Z twice undoes the relabel then the mark, naming each and where', async () => {
    // The review's key sequence of item 2, as the requests those keys make.
    const accepted = await api.acceptSuggestions({ datasetId, sampleIds: [id('happy/h4')] })
    expect(accepted.step).toMatchObject({ summary: 'accepted sadness for happy/h4.png', sampleId: id('happy/h4') })
    await api.setReviewFlag({ datasetId, sampleIds: [id('happy/h1')], flag: 'keep', on: true })
    const marked = await api.setReviewFlag({ datasetId, sampleIds: [id('happy/h2')], flag: 'not_a_face', on: true })
    expect(marked).toMatchObject({ sampleIds: [id('happy/h2')], canUndo: true, canRedo: false })
    await api.setLabel({ datasetId, sampleIds: [id('sad/s1')], label: 'disgust' })

    const first = await api.undo({ datasetId })
    expect(first.step).toEqual({ summary: 'labelled sad/s1.png disgust', sampleId: id('sad/s1') })
    expect(await label('sad/s1')).toBe('sadness')
    // Where the cursor goes: the sample's place in the grid's view, or nowhere when the view hides it.
    const where = (filter: object) => api.locateSample({ datasetId, filter, sort: { by: 'path' }, sampleId: id('sad/s1') })
    expect(await where({})).toEqual({ position: 6 }) // after happy/h1…h4 and neutral/n1, n2
    expect(await where({ currentLabel: 'happiness' })).toEqual({ position: null })
    const second = await api.undo({ datasetId })
    expect(second.step).toEqual({ summary: 'marked happy/h2.png not-a-face', sampleId: id('happy/h2') })
    expect((await review('happy/h2')).flags).toEqual([])
    // What came before the two undone steps is untouched: the keep mark and the accepted label.
    expect((await review('happy/h1')).flags).toEqual(['keep'])
    expect(await label('happy/h4')).toBe('sadness')

    const third = await api.undo({ datasetId })
    expect(third.step?.summary).toBe('marked happy/h1.png kept')
    expect((await review('happy/h1')).reviewed).toBe(false)
    const fourth = await api.undo({ datasetId })
    expect(fourth.step?.summary).toBe('accepted sadness for happy/h4.png')
    expect(await label('happy/h4')).toBe('happiness')
    expect(fourth).toMatchObject({ canUndo: false, canRedo: true })

    // Redo walks forward in the same order, one action a step.
    expect((await api.redo({ datasetId })).step?.summary).toBe('accepted sadness for happy/h4.png')
    expect((await api.redo({ datasetId })).step?.summary).toBe('marked happy/h1.png kept')
    expect((await review('happy/h1')).flags).toEqual(['keep'])
    expect((await api.redo({ datasetId })).step?.summary).toBe('marked happy/h2.png not-a-face')
    expect((await api.redo({ datasetId })).step?.summary).toBe('labelled sad/s1.png disgust')
    expect(await api.redo({ datasetId })).toMatchObject({ sampleIds: [], step: null, canRedo: false })
    // Leave the dataset as it was for the next test.
    for (let i = 0; i < 4; i++) await api.undo({ datasetId })
    expect(await api.getUndoState({ datasetId })).toEqual({ canUndo: false, canRedo: true })
  })

  it('#16.2: a bulk mark is one step, and a new decision discards what was undone', async () => {
    const bulk = await api.setReviewFlag({ datasetId, sampleIds: [id('sad/s1'), id('sad/s2')], flag: 'exclude', on: true })
    expect(bulk.step?.summary).toBe('marked 2 samples excluded')
    expect(await api.getUndoState({ datasetId })).toEqual({ canUndo: true, canRedo: false })
    const undone = await api.undo({ datasetId })
    expect(undone.sampleIds).toEqual([id('sad/s1'), id('sad/s2')])
    expect((await review('sad/s1')).flags).toEqual([])
    expect((await review('sad/s2')).flags).toEqual([])
    // Clearing a mark is a decision too, and names itself.
    await api.setReviewFlag({ datasetId, sampleIds: [id('sad/s2')], flag: 'ambiguous', on: true })
    const cleared = await api.setReviewFlag({ datasetId, sampleIds: [id('sad/s2')], flag: 'ambiguous', on: false })
    expect(cleared.step?.summary).toBe('removed the ambiguous mark from sad/s2.png')
    await api.undo({ datasetId })
    expect((await review('sad/s2')).flags).toEqual(['ambiguous'])
    await api.undo({ datasetId })
    expect((await review('sad/s2')).flags).toEqual([])
  })

  it('#16.2: a note typed in pauses is one step; undo gives back the note before it, redo the last', async () => {
    await api.setNote({ sampleId: id('neutral/n1'), note: 'eyes closed' })
    await api.setReviewFlag({ datasetId, sampleIds: [id('neutral/n2')], flag: 'ambiguous', on: true })
    // The note field saves as the researcher pauses: three saves of one edit.
    await api.setNote({ sampleId: id('neutral/n2'), note: 'mouth' })
    await api.setNote({ sampleId: id('neutral/n2'), note: 'mouth open' })
    const last = await api.setNote({ sampleId: id('neutral/n2'), note: 'mouth open, eyes shut' })
    expect(last).toMatchObject({ sampleId: id('neutral/n2'), note: 'mouth open, eyes shut', canUndo: true })
    const undone = await api.undo({ datasetId })
    expect(undone.step).toEqual({ summary: 'edited the note on neutral/n2.png', sampleId: id('neutral/n2') })
    expect((await review('neutral/n2')).note).toBe('')
    expect((await review('neutral/n2')).flags).toEqual(['ambiguous'])
    await api.redo({ datasetId })
    expect((await review('neutral/n2')).note).toBe('mouth open, eyes shut')
    await api.undo({ datasetId })
    await api.undo({ datasetId })
    expect((await review('neutral/n2')).flags).toEqual([])
    const note = await api.undo({ datasetId })
    expect(note.step?.summary).toBe('edited the note on neutral/n1.png')
    expect((await review('neutral/n1')).note).toBe('')
    // Every save is an event of the one log, with the text it replaced; undo and redo are events too.
    const events = ctx.db
      .prepare(`SELECT kind, old_value AS old, new_value AS new, source FROM review_events WHERE sample_id = ? ORDER BY id`)
      .all(id('neutral/n2'))
    expect(events).toEqual([
      { kind: 'mark', old: null, new: 'ambiguous', source: 'user' },
      { kind: 'note', old: null, new: 'mouth', source: 'user' },
      { kind: 'note', old: 'mouth', new: 'mouth open', source: 'user' },
      { kind: 'note', old: 'mouth open', new: 'mouth open, eyes shut', source: 'user' },
      { kind: 'note', old: 'mouth open, eyes shut', new: null, source: 'undo' },
      { kind: 'note', old: null, new: 'mouth open, eyes shut', source: 'redo' },
      { kind: 'note', old: 'mouth open, eyes shut', new: null, source: 'undo' },
      { kind: 'mark', old: 'ambiguous', new: null, source: 'undo' }
    ])
  })

  it('#16.2: the history of labels, marks and notes survives a restart', async () => {
    await api.setReviewFlag({ datasetId, sampleIds: [id('happy/h3')], flag: 'exclude', on: true })
    await api.setNote({ sampleId: id('happy/h3'), note: 'a drawing' })
    await closeContext(ctx)
    ctx = createContext(dataDir, '0.0.0')
    api = behindEdge(createApiHandlers(ctx))
    expect((await api.undo({ datasetId })).step?.summary).toBe('edited the note on happy/h3.png')
    expect((await api.undo({ datasetId })).step?.summary).toBe('marked happy/h3.png excluded')
    expect((await review('happy/h3')).flags).toEqual([])
  })

  it('#16.9: pressing the key of the label a face already has confirms it: reviewed and kept, as K does, one undo step', async () => {
    expect((await review('happy/h1')).reviewed).toBe(false)
    const confirmed = await api.setLabel({ datasetId, sampleIds: [id('happy/h1')], label: 'happiness' })
    expect(confirmed).toMatchObject({ sampleIds: [id('happy/h1')], canUndo: true })
    expect(confirmed.step?.summary).toBe('confirmed happy/h1.png as happiness')
    expect(await review('happy/h1')).toMatchObject({ reviewed: true, flags: ['keep'] })
    expect(await label('happy/h1')).toBe('happiness')
    // A selection of some faces already labelled so and some not: one step, all reviewed.
    const mixed = await api.setLabel({ datasetId, sampleIds: [id('happy/h2'), id('sad/s2')], label: 'happiness' })
    expect(mixed.step?.summary).toBe('labelled 2 samples happiness')
    expect((await review('happy/h2')).reviewed).toBe(true)
    expect((await review('sad/s2')).reviewed).toBe(true)
    await api.undo({ datasetId })
    expect(await label('sad/s2')).toBe('sadness')
    expect((await review('happy/h2')).reviewed).toBe(false)
    await api.undo({ datasetId })
    expect((await review('happy/h1')).reviewed).toBe(false)
  })

  it('#16.10: an unlabelled face is offered the model’s class, and Accept labels it', async () => {
    // n1 was ranked with its label; the model agreed, so nothing was suggested. Unlabelled now, it
    // needs the model's class as a suggestion, as every face unlabelled at ranking time has.
    await api.setLabel({ datasetId, sampleIds: [id('neutral/n1')], label: null })
    expect((await review('neutral/n1')).issue?.suggestedLabel).toBe('neutral')
    const tile = (await api.querySamples({ datasetId, filter: { currentLabel: null }, offset: 0, limit: 10 })).samples
    expect(tile.map((s) => [s.id, s.review?.suggestedLabel])).toEqual([[id('neutral/n1'), 'neutral']])
    const accepted = await api.acceptSuggestions({ datasetId, sampleIds: [id('neutral/n1')] })
    expect(accepted.step?.summary).toBe('accepted neutral for neutral/n1.png')
    expect(await label('neutral/n1')).toBe('neutral')
    expect((await review('neutral/n1')).reviewed).toBe(true)
    await api.undo({ datasetId })
    expect(await label('neutral/n1')).toBeNull()
    await api.undo({ datasetId })
    expect(await label('neutral/n1')).toBe('neutral')
  })
})

describe('#16.2: a database from before the unified log', () => {
  it('keeps its labels, their history and their undo steps, and undoes marks afterwards', async () => {
    const dir = await tempDir('pf-undo-migrate-')
    const file = join(dir, 'pokerface.sqlite')
    // Schema 5, as the previous release left it, with one relabel made in it.
    const db = new Database(file)
    db.pragma('foreign_keys = ON')
    for (let v = 0; v < 5; v++) db.exec(MIGRATIONS[v])
    db.pragma('user_version = 5')
    db.exec(`
      INSERT INTO datasets (id, root, name, created_at, opened_at) VALUES (1, '/data/old', 'old', 't', 't');
      INSERT INTO samples (id, dataset_id, rel_path, size, mtime_ms, content_hash, original_label, current_label)
        VALUES (1, 1, 'a.png', 1, 1, 'ha', 'anger', 'fear'), (2, 1, 'b.png', 1, 1, 'hb', 'happiness', 'happiness');
      INSERT INTO label_batches (id, dataset_id, created_at, state) VALUES (1, 1, '2026-01-01T00:00:00.000Z', 'done');
      INSERT INTO label_events (id, sample_id, batch_id, old_label, new_label, source, created_at)
        VALUES (1, 1, 1, 'anger', 'fear', 'user', '2026-01-01T00:00:00.000Z');
      INSERT INTO flags (sample_id, flag, created_at) VALUES (2, 'exclude', 't');
    `)
    migrate(db)
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
    db.close()

    const ctx = createContext(dir, '0.0.0')
    try {
      const api = behindEdge(createApiHandlers(ctx))
      expect((await api.getSample({ sampleId: 1 })).history).toMatchObject([
        { oldLabel: 'anger', newLabel: 'fear', source: 'user', at: '2026-01-01T00:00:00.000Z' }
      ])
      expect((await api.getSampleReview({ sampleId: 2 })).flags).toEqual(['exclude'])
      await api.setReviewFlag({ datasetId: 1, sampleIds: [2], flag: 'exclude', on: false })
      expect((await api.undo({ datasetId: 1 })).step?.summary).toBe('removed the exclude mark from b.png')
      expect((await api.getSampleReview({ sampleId: 2 })).flags).toEqual(['exclude'])
      // The relabel made before the upgrade is still one undo step, named from its events.
      const old = await api.undo({ datasetId: 1 })
      expect(old.step).toEqual({ summary: 'labelled a.png fear', sampleId: 1 })
      expect((await api.getSample({ sampleId: 1 })).currentLabel).toBe('anger')
    } finally {
      await closeContext(ctx)
    }
  })
})
