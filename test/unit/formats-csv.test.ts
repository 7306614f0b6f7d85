import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { HAS_FERPLUS, NO_FERPLUS_REASON, tempDir } from '../helpers/data'
import { copyFace, differingLines, exportSource, openThroughApi, pickFaces, write } from '../helpers/formatFixtures'

if (!HAS_FERPLUS) console.warn(`[formats-csv] fixture cases skipped: ${NO_FERPLUS_REASON}`)

const SPELLING: Record<string, string> = {
  neutral: 'neutral',
  happiness: 'happy',
  surprise: 'surprised',
  sadness: 'sad',
  anger: 'angry',
  disgust: 'disgust',
  fear: 'fear',
  contempt: 'contempt'
}

/** images/ of real faces and a labels.csv in researchers' spellings, plus one image the CSV leaves out. */
async function csvFixture(): Promise<{ root: string; csv: string; unlisted: string }> {
  const root = await tempDir('pf-csv-')
  const faces = pickFaces(2)
  const rows = ['file,emotion,split']
  for (const [i, face] of faces.entries()) {
    const name = i === 0 ? 'odd, name.png' : face.name
    await copyFace(face, join(root, 'images', name))
    if (i < faces.length - 1) rows.push(`"images/${name}",${SPELLING[face.label]},${i % 2 ? 'train' : 'val'}`)
  }
  const csv = rows.join('\n') + '\n'
  await write(join(root, 'labels.csv'), csv)
  return { root, csv, unlisted: `images/${faces.at(-1)!.name}` }
}

describe.skipIf(!HAS_FERPLUS)('generic CSV (real faces)', () => {
  it('proposes the path, label and split columns, maps spellings, and shows unlisted images unlabelled', async () => {
    const { root, unlisted } = await csvFixture()
    const { format, samples, report } = await openThroughApi(root)
    expect(format).toMatchObject({
      format: 'csv',
      labelFiles: ['labels.csv'],
      options: { pathColumn: 'file', labelColumn: 'emotion', splitColumn: 'split', hasHeader: true, delimiter: ',' }
    })
    expect(samples.find((s) => s.relPath === 'images/odd, name.png')).toMatchObject({ split: 'valid' })
    expect(samples.find((s) => s.relPath === unlisted)).toMatchObject({ originalLabel: null })
    expect(format.classMapping.find((c) => c.id === 'happy')).toMatchObject({ label: 'happiness', inModel: true })
    expect(report.problems).toContainEqual({
      relPath: unlisted,
      kind: 'ignored',
      reason: 'not listed in labels.csv: shown unlabelled'
    })
  })

  it("round-trips byte for byte; writes changes in the dataset's own spelling; lists a newly labelled image", async () => {
    const { root, csv, unlisted } = await csvFixture()
    const { api, dataset, samples } = await openThroughApi(root)
    const out = await exportSource(api, dataset.id)
    expect(await readFile(join(out, 'labels.csv'), 'utf8')).toBe(csv)

    const odd = samples.find((s) => s.relPath === 'images/odd, name.png')!
    const next = odd.originalLabel === 'sadness' ? 'anger' : 'sadness'
    await api.setLabel({ datasetId: dataset.id, sampleIds: [odd.id], label: next })
    await api.setLabel({
      datasetId: dataset.id,
      sampleIds: [samples.find((s) => s.relPath === unlisted)!.id],
      label: 'happiness'
    })
    await api.exportLabels({ datasetId: dataset.id, format: 'source', path: out, overwrite: true })
    const written = await readFile(join(out, 'labels.csv'), 'utf8')
    expect(differingLines(csv, written)).toEqual([1, csv.split('\n').length - 1, csv.split('\n').length])
    expect(written.split('\n')[1]).toBe(`"images/odd, name.png",${SPELLING[next]},val`)
    expect(written.trimEnd().split('\n').at(-1)).toBe(`${unlisted},happy,`)
  })

  it('reads a headerless TSV of class numbers with the class list given by the user', async () => {
    const root = await tempDir('pf-tsv-')
    const faces = pickFaces(1)
    const order = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral']
    const rows: string[] = []
    for (const face of faces) {
      await copyFace(face, join(root, 'faces', face.name))
      rows.push(
        `faces/${face.name}\t${face.label === 'contempt' ? 9 : order.indexOf(SPELLING[face.label] === 'surprised' ? 'surprise' : SPELLING[face.label])}`
      )
    }
    const tsv = rows.join('\n') + '\n'
    await write(join(root, 'list.tsv'), tsv)
    const { format, samples, report, api, dataset } = await openThroughApi(root, { format: 'csv', options: { classes: order } })
    expect(format).toMatchObject({
      chosenBy: 'user',
      options: { delimiter: '\t', hasHeader: false, pathColumn: 0, labelColumn: 1 }
    })
    for (const face of faces.filter((f) => f.label !== 'contempt')) {
      expect(samples.find((s) => s.relPath === `faces/${face.name}`)?.originalLabel).toBe(face.label)
    }
    expect(report.problems.filter((p) => p.kind === 'error')).toEqual([
      {
        relPath: 'list.tsv',
        line: faces.findIndex((f) => f.label === 'contempt') + 1,
        kind: 'error',
        reason: expect.stringMatching(/unknown class id 9/)
      }
    ])
    const out = await exportSource(api, dataset.id)
    expect(await readFile(join(out, 'list.tsv'), 'utf8')).toBe(tsv)
  })

  it('refuses a manual CSV choice on a folder without one, changing nothing', async () => {
    const root = await tempDir('pf-nocsv-')
    await copyFace(pickFaces(1)[0], join(root, 'happy', 'a.png'))
    const { api } = await openThroughApi(root)
    await expect(api.openDataset({ root, format: 'csv' })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/^No CSV \/ TSV label file found/)
    })
    expect((await api.listDatasets({}))[0]).toMatchObject({ sampleCount: 1, labels: ['happiness'] })
  })
})
