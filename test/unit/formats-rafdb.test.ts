import { cp, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EMOTIONS } from '@shared/emotions'
import { rafdb } from '@shared/formats/rafdb'
import { HAS_FERPLUS, NO_FERPLUS_REASON, tempDir } from '../helpers/data'
import { differingLines, exportSource, openThroughApi, pickFaces, write, writeJpeg } from '../helpers/formatFixtures'

if (!HAS_FERPLUS) console.warn(`[formats-rafdb] fixture cases skipped: ${NO_FERPLUS_REASON}`)

const RAF_ID: Record<string, string> = {
  surprise: '1',
  fear: '2',
  disgust: '3',
  happiness: '4',
  sadness: '5',
  anger: '6',
  neutral: '7'
}

/** RAF-DB's layout with real faces: aligned JPEGs, a few originals, the list file (CRLF, as RAF-DB ships it). */
async function rafFixture(): Promise<{ root: string; names: { name: string; label: string }[]; listFile: string }> {
  const root = await tempDir('pf-rafdb-')
  const faces = pickFaces(
    2,
    EMOTIONS.filter((e) => e !== 'contempt')
  )
  const names = faces.map((f, i) => ({
    face: f,
    name: `${i % 3 === 0 ? 'test' : 'train'}_${String(i + 1).padStart(5, '0')}.jpg`,
    label: f.label
  }))
  for (const n of names) await writeJpeg(n.face, join(root, 'Image', 'aligned', n.name.replace('.jpg', '_aligned.jpg')))
  for (const n of names.slice(0, 3)) await writeJpeg(n.face, join(root, 'Image', 'original', n.name))
  const listFile = names.map((n) => `${n.name} ${RAF_ID[n.label]}\r\n`).join('')
  await write(join(root, 'EmoLabel', 'list_patition_label.txt'), listFile)
  return { root, names, listFile }
}

describe('RAF-DB lines', () => {
  it('rewrites only the label token, and leaves a list line out when its label is removed', () => {
    const ctx = { header: '', options: {}, spellings: new Map() }
    expect(rafdb.rewriteLine!('train_00001.jpg 5', 'neutral', ctx)).toEqual({ line: 'train_00001.jpg 7' })
    expect(rafdb.rewriteLine!('train_00001.jpg  5 ', 'fear', ctx)).toEqual({ line: 'train_00001.jpg  2 ' })
    expect(rafdb.rewriteLine!('train_00001.jpg 5', null, ctx)).toEqual({ drop: true })
    expect(rafdb.rewriteLine!('train_00001.jpg 5', 'contempt', ctx)).toEqual({
      unwritable: expect.stringMatching(/^RAF-DB basic has no class for contempt/)
    })
  })
})

describe.skipIf(!HAS_FERPLUS)('RAF-DB folders (real faces)', () => {
  it('is detected, reads aligned images with labels 1–7 mapped, splits from names, originals summarised not opened', async () => {
    const { root, names } = await rafFixture()
    const { dataset, format, samples, report, api } = await openThroughApi(root)
    expect(format).toMatchObject({
      format: 'rafdb',
      chosenBy: 'detection',
      options: { rafdbImages: 'aligned' },
      labelFiles: ['EmoLabel/list_patition_label.txt']
    })
    expect(samples).toHaveLength(names.length)
    for (const n of names) {
      const s = samples.find((x) => x.relPath === `Image/aligned/${n.name.replace('.jpg', '_aligned.jpg')}`)
      expect(s).toMatchObject({ originalLabel: n.label, split: n.name.startsWith('train') ? 'train' : 'test' })
    }
    expect(report.problems).toContainEqual({
      relPath: 'Image/original',
      kind: 'ignored',
      reason: expect.stringMatching(/^3 images not part of the RAF-DB/)
    })
    expect(format.classMapping.find((c) => c.id === '1')).toMatchObject({ label: 'surprise', inModel: true })
    // The other image folder on request.
    const originals = await api.openDataset({ root, format: 'rafdb', options: { rafdbImages: 'original' } })
    expect(originals.dataset).toMatchObject({ id: dataset.id, sampleCount: 3 })
  })

  it('round-trips byte for byte; a change rewrites one line; a removed label leaves the list', async () => {
    const { root, listFile } = await rafFixture()
    const { api, dataset, samples } = await openThroughApi(root)
    const out = await exportSource(api, dataset.id)
    expect(await readFile(join(out, 'EmoLabel', 'list_patition_label.txt'), 'utf8')).toBe(listFile)

    const [a, b] = samples
    await api.setLabel({ datasetId: dataset.id, sampleIds: [a.id], label: a.originalLabel === 'fear' ? 'anger' : 'fear' })
    await api.setLabel({ datasetId: dataset.id, sampleIds: [b.id], label: null })
    const result = await api.exportLabels({ datasetId: dataset.id, format: 'source', path: out, overwrite: true })
    expect(result).toMatchObject({ changed: 2, dropped: 1 })
    const written = await readFile(join(out, 'EmoLabel', 'list_patition_label.txt'), 'utf8')
    expect(written.split('\r\n')).toHaveLength(listFile.split('\r\n').length - 1)
    expect(written).toContain(
      `${a.relPath.split('/').pop()!.replace('_aligned', '')} ${a.originalLabel === 'fear' ? '6' : '2'}\r\n`
    )

    // Reading the written file back gives the labels the user set.
    const copy = await tempDir('pf-rafdb-copy-')
    await cp(root, copy, { recursive: true })
    await cp(out, copy, { recursive: true })
    const reread = await openThroughApi(copy)
    const byPath = new Map(reread.samples.map((s) => [s.relPath, s.originalLabel]))
    expect(byPath.get(a.relPath)).toBe(a.originalLabel === 'fear' ? 'anger' : 'fear')
    expect(byPath.get(b.relPath)).toBeNull() // still shown, now unlisted
    expect(differingLines(listFile, written).length).toBeGreaterThan(0)
  })

  it('refuses to write a class RAF-DB lacks, naming the sample, and writes nothing', async () => {
    const { root } = await rafFixture()
    const { api, dataset, samples } = await openThroughApi(root)
    await api.setLabel({ datasetId: dataset.id, sampleIds: [samples[0].id], label: 'contempt' })
    const out = join(await tempDir('pf-out-'), 'labels')
    await expect(
      api.exportLabels({ datasetId: dataset.id, format: 'source', path: out, overwrite: false })
    ).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining(`${samples[0].relPath}: RAF-DB basic has no class for contempt`)
    })
  })

  it('lists malformed lines and unknown ids with their line, and keeps those lines in the export', async () => {
    const { root, listFile } = await rafFixture()
    const lines = listFile.split('\r\n').filter(Boolean)
    const broken =
      [lines[0], 'train_09999.jpg', lines[1].replace(/ \d$/, ' 9'), lines[2], lines[2], ...lines.slice(3)].join('\n') + '\n'
    await write(join(root, 'EmoLabel', 'list_patition_label.txt'), broken)
    const { api, dataset, report } = await openThroughApi(root)
    const errors = report.problems.filter((p) => p.kind === 'error')
    expect(errors.map((p) => [p.line, p.reason.replace(/\(.*$/, '')])).toEqual([
      [2, 'line 2: expected "<image name> <label 1–7>", found "train_09999.jpg"'],
      [3, 'line 3: unknown label id "9" '],
      [5, expect.stringMatching(/^line 5: Image\/aligned\/.* is listed again /)]
    ])
    const out = await exportSource(api, dataset.id)
    expect(await readFile(join(out, 'EmoLabel', 'list_patition_label.txt'), 'utf8')).toBe(broken)
  })
})

describe.skipIf(!HAS_FERPLUS)('a label file that goes missing', () => {
  it('is reported, and the samples keep their labels and changes', async () => {
    const { root } = await rafFixture()
    const { api, dataset, samples } = await openThroughApi(root)
    await api.setLabel({ datasetId: dataset.id, sampleIds: [samples[0].id], label: 'contempt' })
    await rm(join(root, 'EmoLabel', 'list_patition_label.txt'))
    const again = await api.openDataset({ root })
    expect(again.format.format).toBe('rafdb')
    expect(again.report.problems).toContainEqual({
      relPath: 'EmoLabel/list_patition_label.txt',
      kind: 'error',
      reason: 'label file cannot be read: no longer exists'
    })
    const after = (await api.querySamples({ datasetId: dataset.id, filter: {}, offset: 0, limit: 100 })).samples
    expect(after.map((s) => [s.originalLabel, s.currentLabel])).toEqual(
      samples.map((s, i) => [s.originalLabel, i === 0 ? 'contempt' : s.currentLabel])
    )
    // The copy kept at the last scan still exports.
    const out = await exportSource(api, dataset.id).catch((e: Error) => e)
    expect(out).toBeInstanceOf(Error) // contempt cannot be written as RAF-DB…
    await api.setLabel({ datasetId: dataset.id, sampleIds: [samples[0].id], label: 'fear' })
    const folder = await exportSource(api, dataset.id) // …fear can, from the stored copy
    expect(await readFile(join(folder, 'EmoLabel', 'list_patition_label.txt'), 'utf8')).toContain(' 2\r\n')
  })
})
