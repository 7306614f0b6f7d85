import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiHandlers } from '@shared/api'
import { EMOTIONS } from '@shared/emotions'
import { leftOutBy } from '@shared/cleaned'
import { parseCsvLine } from '@shared/formats/csv'
import type { Sample } from '@shared/types'
import { closeContext, createContext, type AppContext } from '@main/api/context'
import { behindEdge } from '@main/api/edge'
import { createApiHandlers } from '@main/api/service'
import { HAS_FERPLUS, NO_FERPLUS_REASON, tempDir, writePng } from '../helpers/data'
import { copyFace, pickFaces, realVoteLines, write } from '../helpers/formatFixtures'
import { probs, storeKnownPredictions } from '../helpers/knownPredictions'
import { MICRO_MODEL } from '../helpers/models'

/**
 * Issue #16, "Exports carry the decisions": every review mark, note, score and suggestion reaches
 * the exports, the cleaned exports leave out what the researcher excluded, and the Metrics tab's
 * "cleaned" figures are what the cleaned export writes. Real API, real SQLite file, real files.
 */

/** Reads a CSV this app wrote, with the app's own RFC 4180 line reader, as header-keyed rows. */
function csvRows(text: string): Record<string, string>[] {
  const fields = (line: string): string[] => {
    const parsed = parseCsvLine(line)
    if (!parsed.ok) throw new Error(parsed.reason)
    return parsed.fields.map((f) => f.value)
  }
  const [head, ...lines] = text.trim().split('\n')
  const names = fields(head)
  return lines.map((l) => Object.fromEntries(fields(l).map((v, i) => [names[i], v])))
}

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name
    if (e.isDirectory()) out.push(...(await filesUnder(join(dir, e.name), rel)))
    else out.push(rel)
  }
  return out.sort()
}

describe('exports carry the review decisions (API + SQLite + files)', () => {
  let ctx: AppContext
  let api: ApiHandlers
  let root: string
  let datasetId: number
  const byName = new Map<string, Sample>()
  const id = (name: string): number => (byName.get(name) as Sample).id

  beforeAll(async () => {
    root = await tempDir('pf-decisions-')
    // `angry/` is how many ImageFolder copies of FER spell anger: an export must keep that name.
    const files: [string, number][] = [
      ['train/angry/a1.png', 10],
      ['train/angry/a2.png', 20],
      ['train/happy/h1.png', 30],
      ['train/happy/h2.png', 40],
      ['train/happy/h3.png', 50],
      ['train/sad/s1.png', 60],
      ['train/sad/s2.png', 70],
      ['test/happy/t1.png', 80],
      ['test/sad/t2.png', 90]
    ]
    for (const [path, shade] of files) await writePng(join(root, path), shade)
    ctx = createContext(await tempDir('pf-decisions-home-'), '0.0.0')
    api = behindEdge(createApiHandlers(ctx))
    datasetId = (await api.openDataset({ root })).dataset.id
    const samples = (await api.querySamples({ datasetId, filter: {}, offset: 0, limit: 100 })).samples
    for (const s of samples) byName.set(s.relPath.split('/').pop()!.replace('.png', ''), s)

    const model = await api.addModel({ folder: MICRO_MODEL })
    const predicted: Record<string, number[]> = {
      a1: probs('anger', 0.8),
      a2: probs('anger', 0.7),
      h1: probs('happiness', 0.8),
      h2: probs('sadness', 0.9), // labelled happy, confidently sad: flagged, suggestion sadness
      h3: probs('happiness', 0.75),
      s1: probs('sadness', 0.8),
      s2: probs('sadness', 0.7),
      t1: probs('happiness', 0.6),
      t2: probs('sadness', 0.65)
    }
    await storeKnownPredictions(
      ctx,
      api,
      datasetId,
      model,
      Object.entries(predicted).map(([name, p]) => [id(name), p])
    )

    // The review: X on a1, N on s1, K on h1, U on t1, a note on a1, h3 relabelled to anger.
    await api.setReviewFlag({ datasetId, sampleIds: [id('a1')], flag: 'exclude', on: true })
    await api.setReviewFlag({ datasetId, sampleIds: [id('s1')], flag: 'not_a_face', on: true })
    await api.setReviewFlag({ datasetId, sampleIds: [id('h1')], flag: 'keep', on: true })
    await api.setReviewFlag({ datasetId, sampleIds: [id('t1')], flag: 'ambiguous', on: true })
    await api.setNote({ sampleId: id('a1'), note: 'mouth covered, eyes say "fear"' })
    await api.setLabel({ datasetId, sampleIds: [id('h3')], label: 'anger' })
  })
  afterAll(async () => {
    if (ctx) await closeContext(ctx)
  })

  it('#16.1: the cleaned CSV leaves out faces marked exclude or not-a-face and says how many', async () => {
    const path = join(await tempDir('pf-decisions-out-'), 'cleaned.csv')
    const result = await api.exportLabels({ datasetId, format: 'csv', path, overwrite: false })
    const rows = csvRows(await readFile(path, 'utf8'))
    expect(rows.map((r) => r.path)).not.toContain('train/angry/a1.png')
    expect(rows.map((r) => r.path)).not.toContain('train/sad/s1.png')
    // Keep and ambiguous are decisions about the label, not about leaving the face out.
    expect(rows.map((r) => r.path)).toContain('train/happy/h1.png')
    expect(rows.map((r) => r.path)).toContain('test/happy/t1.png')
    expect(rows).toHaveLength(7)
    expect(result).toMatchObject({ rows: 7, changed: 1, leftOut: { excluded: 1, notAFace: 1 } })
  })

  it('#16.1: the cleaned ImageFolder tree is a new folder of links or copies, without excluded faces, the dataset untouched', async () => {
    const before = await filesUnder(root)
    const beforeStat = await stat(join(root, 'train', 'happy', 'h3.png'))
    const out = join(await tempDir('pf-decisions-tree-'), 'cleaned')
    const result = await api.exportLabels({ datasetId, format: 'imagefolder', path: out, overwrite: false })
    expect(result).toMatchObject({ path: out, rows: 7, changed: 1, leftOut: { excluded: 1, notAFace: 1 } })
    expect(result.images!.linked + result.images!.copied).toBe(7)
    expect(await filesUnder(out)).toEqual([
      'test/happy/t1.png',
      'test/sad/t2.png',
      'train/angry/a2.png',
      'train/angry/h3.png', // relabelled to anger: into the dataset's own anger folder
      'train/happy/h1.png',
      'train/happy/h2.png',
      'train/sad/s2.png'
    ])
    expect(
      (await readFile(join(out, 'train', 'angry', 'h3.png'))).equals(await readFile(join(root, 'train', 'happy', 'h3.png')))
    ).toBe(true)
    // The dataset folder is exactly as it was: same files, h3 still in happy/, same content.
    expect(await filesUnder(root)).toEqual(before)
    const afterStat = await stat(join(root, 'train', 'happy', 'h3.png'))
    expect(afterStat.mtimeMs).toBe(beforeStat.mtimeMs)
    expect(afterStat.size).toBe(beforeStat.size)
  })

  it('#16.13: the ImageFolder tree keeps the dataset’s folder names, so unchanged images stay where they were', async () => {
    const out = join(await tempDir('pf-decisions-names-'), 'cleaned')
    await api.exportLabels({ datasetId, format: 'imagefolder', path: out, overwrite: false })
    const written = await filesUnder(out)
    expect(written).toContain('train/angry/a2.png')
    expect(written.some((p) => p.includes('/anger/'))).toBe(false)
    // Every unchanged, kept image is at its own relative path.
    for (const name of ['a2', 'h1', 'h2', 's2', 't1', 't2']) expect(written).toContain(byName.get(name)!.relPath)
  })

  it('#16.1: a cleaned tree is refused — writing nothing — into the dataset folder or a folder that is not empty', async () => {
    await expect(
      api.exportLabels({ datasetId, format: 'imagefolder', path: join(root, 'cleaned'), overwrite: true })
    ).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/inside the dataset folder/) })
    expect(await readdir(root)).toEqual(['test', 'train'])
    const taken = await tempDir('pf-decisions-taken-')
    await writeFile(join(taken, 'mine.txt'), 'keep me')
    await expect(api.exportLabels({ datasetId, format: 'imagefolder', path: taken, overwrite: false })).rejects.toMatchObject({
      code: 'exists'
    })
    expect(await readdir(taken)).toEqual(['mine.txt'])
    // Replacing keeps the old folder whole, beside the new one.
    const replaced = await api.exportLabels({ datasetId, format: 'imagefolder', path: taken, overwrite: true })
    expect(await readFile(join(replaced.backupPath!, 'mine.txt'), 'utf8')).toBe('keep me')
    expect(await readdir(taken)).toEqual(['test', 'train'])
  })

  it('#16.1: the provenance CSV carries marks, notes, suggestion, reviewed status and when', async () => {
    const path = join(await tempDir('pf-decisions-prov-'), 'provenance.csv')
    await api.exportLabels({ datasetId, format: 'provenance-csv', path, overwrite: false })
    const text = await readFile(path, 'utf8')
    const header = text.split('\n')[0].split(',')
    expect(header).toEqual(
      expect.arrayContaining(['marks', 'excluded', 'note', 'score', 'suggested_label', 'reviewed', 'reviewed_at'])
    )
    const rows = csvRows(text)
    const row = (name: string) => rows.find((r) => r.path === byName.get(name)!.relPath)!
    expect(row('a1')).toMatchObject({
      marks: 'exclude',
      excluded: 'exclude',
      note: 'mouth covered, eyes say "fear"',
      reviewed: '1'
    })
    expect(row('a1').reviewed_at).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(row('s1')).toMatchObject({ marks: 'not_a_face', excluded: 'not_a_face', reviewed: '1' })
    expect(row('h1')).toMatchObject({ marks: 'keep', excluded: '', reviewed: '1' })
    expect(row('t1')).toMatchObject({ marks: 'ambiguous', excluded: '', reviewed: '1' })
    expect(row('h3')).toMatchObject({ marks: '', current_label: 'anger', reviewed: '1' })
    expect(row('h2')).toMatchObject({ marks: '', reviewed: '0', reviewed_at: '', suggested_label: 'sadness' })
  })

  it('#16.3: both provenance exports carry the ranking score the grid sorts by', async () => {
    const out = await tempDir('pf-decisions-score-')
    await api.exportLabels({ datasetId, format: 'provenance-csv', path: join(out, 'p.csv'), overwrite: false })
    await api.exportLabels({ datasetId, format: 'provenance-json', path: join(out, 'p.json'), overwrite: false })
    const csv = csvRows(await readFile(join(out, 'p.csv'), 'utf8'))
    const json = JSON.parse(await readFile(join(out, 'p.json'), 'utf8'))
    const grid = await api.querySamples({ datasetId, filter: {}, offset: 0, limit: 100, sort: { by: 'likelyWrong' } })
    for (const s of grid.samples) {
      const score = s.review?.score
      expect(score).toEqual(expect.any(Number))
      expect(Number(csv.find((r) => r.path === s.relPath)!.score)).toBe(score)
      expect(json.samples.find((j: { path: string }) => j.path === s.relPath).score).toBe(score)
    }
  })

  it('#16.1: the provenance JSON carries marks, notes, suggestion and reviewed status', async () => {
    const path = join(await tempDir('pf-decisions-json-'), 'provenance.json')
    await api.exportLabels({ datasetId, format: 'provenance-json', path, overwrite: false })
    const doc = JSON.parse(await readFile(path, 'utf8'))
    const sample = (name: string) => doc.samples.find((s: { path: string }) => s.path === byName.get(name)!.relPath)
    expect(sample('a1')).toMatchObject({
      marks: ['exclude'],
      excluded: 'exclude',
      note: 'mouth covered, eyes say "fear"',
      reviewed: true,
      reviewedAt: expect.stringMatching(/^\d{4}-/)
    })
    expect(sample('h2')).toMatchObject({ marks: [], excluded: null, note: null, reviewed: false, suggestedLabel: 'sadness' })
    expect(doc.counts).toMatchObject({ samples: 9, leftOut: { excluded: 1, notAFace: 1 } })
  })

  it('#16.1: the Metrics tab’s cleaned figures equal what the cleaned CSV writes', async () => {
    const path = join(await tempDir('pf-decisions-metrics-'), 'cleaned.csv')
    await api.exportLabels({ datasetId, format: 'csv', path, overwrite: false })
    const written = new Map<string, number>()
    for (const r of csvRows(await readFile(path, 'utf8')))
      if (r.current_label) written.set(r.current_label, (written.get(r.current_label) ?? 0) + 1)
    const { distribution } = await api.getReviewMetrics({ datasetId })
    const shown = new Map(distribution.filter((d) => d.cleaned > 0).map((d) => [d.label, d.cleaned]))
    expect(shown).toEqual(written)
    expect(shown.get('anger')).toBe(2) // a2 and the relabelled h3; a1 is excluded
  })
})

describe('the cleaned rule', () => {
  it('#16.1: exclude and not-a-face leave a face out; keep and ambiguous do not', () => {
    expect(leftOutBy(['exclude'])).toBe('exclude')
    expect(leftOutBy(['not_a_face', 'keep'])).toBe('not_a_face')
    expect(leftOutBy(['exclude', 'not_a_face'])).toBe('not_a_face')
    expect(leftOutBy(['keep', 'ambiguous'])).toBeNull()
    expect(leftOutBy([])).toBeNull()
  })
})

if (!HAS_FERPLUS) console.warn(`[export-decisions] FERPlus case skipped: ${NO_FERPLUS_REASON}`)

describe.skipIf(!HAS_FERPLUS)('FERPlus votes in a source export (real faces and votes)', () => {
  it('#16.11: unchanged rows stay byte-identical and a relabelled row’s ten votes are kept in relabelled-rows.csv', async () => {
    const root = await tempDir('pf-decisions-ferplus-')
    const valid = realVoteLines('FER2013Valid')
    const names = pickFaces(2)
      .map((f) => f.name)
      .sort()
    for (const name of names)
      await copyFace({ name, ferplusPath: `FER2013Valid/${name}`, label: 'neutral' }, join(root, 'FER2013Valid', name))
    const original = names.map((n) => valid.get(n) + '\n').join('')
    await write(join(root, 'FER2013Valid', 'label.csv'), original)
    const home = createContext(await tempDir('pf-decisions-ferplus-home-'), '0.0.0')
    const ferApi = createApiHandlers(home)
    const opened = await ferApi.openDataset({ root })
    const samples = (await ferApi.querySamples({ datasetId: opened.dataset.id, filter: {}, offset: 0, limit: 100 })).samples
    const target = samples.find((s) => s.originalLabel === 'happiness')!
    await ferApi.setLabel({ datasetId: opened.dataset.id, sampleIds: [target.id], label: 'surprise' })

    const out = join(await tempDir('pf-decisions-ferplus-out-'), 'labels')
    const result = await ferApi.exportLabels({ datasetId: opened.dataset.id, format: 'source', path: out, overwrite: false })
    expect(result.files).toContain(join(out, 'relabelled-rows.csv'))
    const before = original.split('\n')
    const after = (await readFile(join(out, 'FER2013Valid', 'label.csv'), 'utf8')).split('\n')
    const name = target.relPath.split('/')[1]
    for (let i = 0; i < before.length; i++) if (!before[i].startsWith(name + ',')) expect(after[i]).toBe(before[i])

    const sidecar = csvRows(await readFile(join(out, 'relabelled-rows.csv'), 'utf8'))
    expect(sidecar).toHaveLength(1)
    const originalRow = valid.get(name)!
    expect(sidecar[0]).toMatchObject({
      label_file: 'FER2013Valid/label.csv',
      path: target.relPath,
      original_label: 'happiness',
      new_label: 'surprise'
    })
    // The row exactly as it was, and the ten votes as the annotators gave them, in FERPlus's column order.
    expect(sidecar[0].original_row).toBe(originalRow)
    const votes = originalRow.split(',').slice(-10).join(',')
    expect(
      EMOTIONS.map((e) => sidecar[0][`votes_${e}`])
        .concat(sidecar[0].votes_unknown, sidecar[0].votes_NF)
        .join(',')
    ).toBe(votes)
    await closeContext(home)
  })
})
