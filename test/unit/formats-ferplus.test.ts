import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createContext } from '@main/api/context'
import { createApiHandlers } from '@main/api/service'
import { exportSourceFormat } from '@main/datasets/exportSource'
import { scanDataset } from '@main/datasets/scan'
import { openDb } from '@main/store/db'
import { listProblems, querySamples, sampleSource } from '@main/store/samples'
import { labelFromVotes, votesForLabel } from '@shared/formats/ferplusVotes'
import { FERPLUS_DIR, HAS_FERPLUS, NO_FERPLUS_REASON, ferplusMajority, tempDir } from '../helpers/data'
import {
  copyFace,
  differingLines,
  exportSource,
  openThroughApi,
  pickFaces,
  realNewVoteRows,
  realVoteLines,
  write
} from '../helpers/formatFixtures'

if (!HAS_FERPLUS) console.warn(`[formats-ferplus] real-data cases skipped: ${NO_FERPLUS_REASON}`)

describe('FERPlus votes → label', () => {
  it('majority: single votes removed, strictly more than half, unknown and not-a-face excluded', () => {
    expect(labelFromVotes([4, 0, 0, 1, 3, 2, 0, 0, 0, 0])).toMatchObject({
      label: null,
      excluded: expect.stringMatching(/no class has more than half/)
    })
    expect(labelFromVotes([6, 0, 1, 1, 0, 0, 0, 0, 2, 0])).toEqual({ label: 'neutral' }) // 6 of 8 after removing the 1s
    expect(labelFromVotes([5, 0, 0, 3, 1, 0, 0, 0, 1, 0])).toEqual({ label: 'neutral' }) // 5 > 8/2
    expect(labelFromVotes([4, 4, 0, 0, 0, 0, 0, 0, 0, 0]).label).toBeNull() // 4 is not more than half of 8
    expect(labelFromVotes([0, 0, 0, 0, 0, 0, 0, 0, 7, 3])).toMatchObject({
      label: null,
      excluded: expect.stringMatching(/unknown$/)
    })
    expect(labelFromVotes([0, 0, 0, 0, 0, 0, 0, 0, 0, 10])).toMatchObject({
      label: null,
      excluded: expect.stringMatching(/not a face$/)
    })
    expect(labelFromVotes([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]).label).toBeNull() // nothing left after removing singles
  })

  it('probability: top classes until 75 % of votes, at most three, stopping at unknown', () => {
    expect(labelFromVotes([4, 0, 0, 1, 3, 2, 0, 0, 0, 0], 'probability')).toEqual({ label: 'neutral' }) // 4+3 of 9 → 7 > 4.5
    expect(labelFromVotes([3, 3, 2, 0, 0, 0, 0, 0, 0, 0], 'probability')).toEqual({ label: 'neutral' }) // ties to the earlier class
    expect(labelFromVotes([3, 3, 2, 2, 0, 0, 0, 0, 0, 0], 'probability').label).toBeNull() // four classes: FERPlus discards it
    expect(labelFromVotes([2, 2, 2, 2, 2, 0, 0, 0, 0, 0], 'probability').label).toBeNull() // five-way tie: too many classes
    expect(labelFromVotes([3, 0, 0, 0, 0, 0, 0, 0, 4, 3], 'probability').label).toBeNull() // unknown on top
  })

  it('argmax: the most votes as they stand, ties to the earlier class', () => {
    expect(labelFromVotes([4, 0, 0, 1, 3, 2, 0, 0, 0, 0], 'argmax')).toEqual({ label: 'neutral' })
    expect(labelFromVotes([0, 3, 3, 0, 0, 0, 0, 0, 0, 0], 'argmax')).toEqual({ label: 'happiness' })
    expect(labelFromVotes([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 'argmax').label).toBeNull()
    expect(labelFromVotes([1, 0, 0, 0, 0, 0, 0, 0, 0, 9], 'argmax').label).toBeNull()
  })

  it("writes a changed label as all of the row's votes on the new class, which every mode reads back", () => {
    const votes = votesForLabel([4, 0, 0, 1, 3, 2, 0, 0, 0, 0], 'fear')!
    expect(votes).toEqual([0, 0, 0, 0, 0, 0, 10, 0, 0, 0])
    for (const mode of ['majority', 'probability', 'argmax'] as const) expect(labelFromVotes(votes, mode).label).toBe('fear')
    expect(votesForLabel([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], null)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 10, 0])
    expect(votesForLabel([10, 0, 0, 0, 0, 0, 0, 0, 0, 0], 'Surprised faces')).toBeNull()
  })
})

/** A FERPlus folder with real faces and their real vote lines (label.csv) and fer2013new.csv rows. */
async function ferplusFixture(perClass = 3): Promise<{ root: string; names: string[] }> {
  const root = await tempDir('pf-ferplus-')
  const faces = pickFaces(perClass)
  const valid = realVoteLines('FER2013Valid')
  // The real file's own order, and one no-majority face so exclusions are exercised.
  const excluded = [...valid.keys()].find((n) => !ferplusMajority('FER2013Valid').has(n))!
  const names = [...faces.map((f) => f.name), excluded].sort()
  for (const name of names)
    await copyFace({ name, ferplusPath: `FER2013Valid/${name}`, label: 'neutral' }, join(root, 'FER2013Valid', name))
  await write(join(root, 'FER2013Valid', 'label.csv'), names.map((n) => valid.get(n) + '\n').join(''))
  const { header, rows } = realNewVoteRows()
  await write(
    join(root, 'fer2013new.csv'),
    [header, ...names.map((n) => rows.get(n)), 'PublicTest,,0,0,0,0,0,0,0,0,0,10'].join('\n') + '\n'
  )
  return { root, names }
}

describe.skipIf(!HAS_FERPLUS)('FERPlus folders (real faces and votes)', () => {
  it('reads label.csv votes in majority mode, keeps every image, and says why some have no label', async () => {
    const { root, names } = await ferplusFixture()
    const db = openDb(':memory:')
    const { datasetId, format, report } = await scanDataset(db, root)
    expect(format).toMatchObject({
      format: 'ferplus',
      chosenBy: 'detection',
      options: { ferplusMode: 'majority', labelFiles: ['FER2013Valid/label.csv'] }
    })
    expect(report.added).toBe(names.length)
    const samples = querySamples(db, datasetId, {}, 0, 100).samples
    const majority = ferplusMajority('FER2013Valid')
    for (const s of samples) expect(s.originalLabel).toBe(majority.get(s.relPath.split('/')[1]) ?? null)
    const unlabelled = samples.find((s) => s.originalLabel === null)!
    expect(sampleSource(db, unlabelled.id)).toMatchObject({
      labelFile: 'FER2013Valid/label.csv',
      excluded: expect.stringMatching(/^FERPlus majority/)
    })
    expect(sampleSource(db, samples[0].id)?.extras.votes).toHaveLength(10)
    expect(listProblems(db, datasetId).filter((p) => p.kind === 'error')).toEqual([])
  })

  it('switches to probability mode or to fer2013new.csv on request, and the choice sticks', async () => {
    const { root } = await ferplusFixture()
    const db = openDb(':memory:')
    const first = await scanDataset(db, root, undefined, { format: 'ferplus', options: { ferplusMode: 'argmax' } })
    expect(first.format).toMatchObject({ chosenBy: 'user', options: { ferplusMode: 'argmax' } })
    expect(querySamples(db, first.datasetId, { currentLabel: null }, 0, 10).total).toBe(0) // argmax labels every face here
    const again = await scanDataset(db, root)
    expect(again.format.options.ferplusMode).toBe('argmax')
    const newVotes = await scanDataset(db, root, undefined, { format: 'ferplus', options: { ferplusVotes: 'fer2013new.csv' } })
    expect(newVotes.format.options.labelFiles).toEqual(['fer2013new.csv'])
    expect(listProblems(db, newVotes.datasetId)).toContainEqual(
      expect.objectContaining({
        relPath: 'fer2013new.csv',
        kind: 'ignored',
        reason: expect.stringMatching(/^1 rows have no image name/)
      })
    )
  })

  it('exports byte-identical vote files when nothing changed, and rewrites only changed rows by the documented rule', async () => {
    const { root } = await ferplusFixture()
    const ctx = createContext(await tempDir('pf-home-'), '0.0.0')
    const api = createApiHandlers(ctx)
    const { dataset } = await api.openDataset({ root })
    const out = join(await tempDir('pf-out-'), 'labels')
    const original = await readFile(join(root, 'FER2013Valid', 'label.csv'))
    await api.exportLabels({ datasetId: dataset.id, format: 'source', path: out, overwrite: false })
    expect((await readFile(join(out, 'FER2013Valid', 'label.csv'))).equals(original)).toBe(true)

    const page = await api.querySamples({ datasetId: dataset.id, filter: {}, offset: 0, limit: 100 })
    const target = page.samples.find((s) => s.originalLabel === 'happiness')!
    await api.setLabel({ datasetId: dataset.id, sampleIds: [target.id], label: 'contempt' })
    const result = await api.exportLabels({ datasetId: dataset.id, format: 'source', path: out, overwrite: true })
    expect(result).toMatchObject({
      changed: 1,
      dropped: 0,
      backups: [expect.stringMatching(/label\.csv\.\d{8}-\d{6}-\d{3}\.bak$/)]
    })
    const before = original.toString('utf8').split('\n')
    const after = (await readFile(join(out, 'FER2013Valid', 'label.csv'), 'utf8')).split('\n')
    const differing = after.map((l, i) => (l === before[i] ? null : i)).filter((i) => i !== null)
    expect(differing).toHaveLength(1)
    const name = target.relPath.split('/')[1]
    expect(after[differing[0]!]).toBe(`${name},"(0, 0, 48, 48)",0,0,0,0,0,0,0,10,0,0`)
  })

  it('round-trips fer2013new.csv byte for byte, header and unnamed rows included', async () => {
    const { root } = await ferplusFixture()
    const { api, dataset, samples } = await openThroughApi(root, {
      format: 'ferplus',
      options: { ferplusVotes: 'fer2013new.csv' }
    })
    const original = await readFile(join(root, 'fer2013new.csv'), 'utf8')
    const out = await exportSource(api, dataset.id)
    expect(await readFile(join(out, 'fer2013new.csv'), 'utf8')).toBe(original)
    const target = samples.find((s) => s.originalLabel !== null)!
    await api.setLabel({ datasetId: dataset.id, sampleIds: [target.id], label: null })
    await api.exportLabels({ datasetId: dataset.id, format: 'source', path: out, overwrite: true })
    const written = await readFile(join(out, 'fer2013new.csv'), 'utf8')
    const [line] = differingLines(original, written)
    expect(written.split('\n')[line]).toBe(`PublicTest,${target.relPath.split('/')[1]},0,0,0,0,0,0,0,0,10,0`)
  })

  it('reports malformed rows with file and line, and opens everything else', async () => {
    const { root, names } = await ferplusFixture(1)
    const valid = realVoteLines('FER2013Valid')
    const lines = names.map((n) => valid.get(n)!)
    await write(
      join(root, 'FER2013Valid', 'label.csv'),
      [
        lines[0],
        'fer9999999.png,"(0, 0, 48, 48)",1,2,3',
        lines[1],
        `${names[0]},"(0, 0, 48, 48)",10,0,0,0,0,0,0,0,0,0`,
        'nope.png,"(0, 0, 48, 48)",1,x,0,0,0,0,0,0,0,0',
        'gone.png,"(0, 0, 48, 48)",10,0,0,0,0,0,0,0,0,0',
        ...lines.slice(2)
      ].join('\n')
    )
    const db = openDb(':memory:')
    const { datasetId, report } = await scanDataset(db, root)
    expect(report.added).toBe(names.length)
    const errors = listProblems(db, datasetId).filter((p) => p.kind === 'error')
    expect(errors).toEqual([
      {
        relPath: 'FER2013Valid/label.csv',
        line: 2,
        kind: 'error',
        reason: expect.stringMatching(/^line 2: expected 10 vote counts/)
      },
      {
        relPath: 'FER2013Valid/label.csv',
        line: 4,
        kind: 'error',
        reason: expect.stringMatching(
          new RegExp(`^line 4: FER2013Valid/${names[0]} is listed again \\(first at FER2013Valid/label.csv line 1\\)`)
        )
      },
      {
        relPath: 'FER2013Valid/label.csv',
        line: 5,
        kind: 'error',
        reason: 'line 5: vote count for happiness is "x", not a number of votes'
      },
      { relPath: 'FER2013Valid/label.csv', line: 6, kind: 'error', reason: 'line 6: image FER2013Valid/gone.png is not on disk' }
    ])
  })
})

// Opening 35,710 real images takes ~36 s on an idle 2-core machine: room for a busy one.
describe.skipIf(!HAS_FERPLUS)('the real FERPlus folder', { timeout: 180_000 }, () => {
  it('opens as FERPlus in majority mode with the benchmark counts; the rest unlabelled with a reason', async () => {
    const db = openDb(':memory:')
    const started = performance.now()
    const { datasetId, format, report } = await scanDataset(db, FERPLUS_DIR)
    const seconds = (performance.now() - started) / 1000
    console.log(`[formats-ferplus] real FERPlus opened in ${seconds.toFixed(1)} s: ${report.added} samples`)
    expect(format.format).toBe('ferplus')
    expect(format.options.labelFiles).toEqual(['FER2013Train/label.csv', 'FER2013Valid/label.csv', 'FER2013Test/label.csv'])
    const count = (split: 'train' | 'valid' | 'test', labelled: boolean) =>
      db
        .prepare(
          `SELECT count(*) FROM samples WHERE dataset_id = ? AND split = ? AND original_label IS ${labelled ? 'NOT' : ''} NULL`
        )
        .pluck()
        .get(datasetId, split) as number
    const expected = {
      train: ferplusMajority('FER2013Train').size,
      valid: ferplusMajority('FER2013Valid').size,
      test: ferplusMajority('FER2013Test').size
    }
    expect({ train: count('train', true), valid: count('valid', true), test: count('test', true) }).toEqual(expected)
    // The figures the FERPlus papers quote.
    expect(Math.abs(expected.train - 25045)).toBeLessThan(100)
    expect(Math.abs(expected.valid - 3191)).toBeLessThan(30)
    expect(Math.abs(expected.test - 3137)).toBeLessThan(30)
    expect({ train: count('train', false), valid: count('valid', false), test: count('test', false) }).toEqual({
      train: 28558 - expected.train,
      valid: 3579 - expected.valid,
      test: 3573 - expected.test
    })
    const withoutReason = db
      .prepare(
        `SELECT count(*) FROM samples s LEFT JOIN sample_sources src ON src.sample_id = s.id
          WHERE s.dataset_id = ? AND s.original_label IS NULL AND src.excluded IS NULL`
      )
      .pluck()
      .get(datasetId)
    expect(withoutReason).toBe(0)
    expect(listProblems(db, datasetId).filter((p) => p.kind === 'error')).toEqual([])
    // Unchanged, the export gives back the three real label.csv files byte for byte.
    const out = join(await tempDir('pf-ferplus-real-out-'), 'labels')
    await exportSourceFormat(db, datasetId, FERPLUS_DIR, out, false)
    for (const file of format.options.labelFiles!) {
      expect((await readFile(join(out, file))).equals(await readFile(join(FERPLUS_DIR, file)))).toBe(true)
    }
    expect(format.classes.map((c) => [c.id, c.label])).toEqual([
      ['0', 'neutral'],
      ['1', 'happiness'],
      ['2', 'surprise'],
      ['3', 'sadness'],
      ['4', 'anger'],
      ['5', 'disgust'],
      ['6', 'fear'],
      ['7', 'contempt'],
      ['8', null],
      ['9', null]
    ])
  })
})
