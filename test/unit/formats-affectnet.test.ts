import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EMOTIONS } from '@shared/emotions'
import { HAS_FERPLUS, NO_FERPLUS_REASON, tempDir } from '../helpers/data'
import { differingLines, exportSource, openThroughApi, pickFaces, write, writeJpeg } from '../helpers/formatFixtures'

if (!HAS_FERPLUS) console.warn(`[formats-affectnet] fixture cases skipped: ${NO_FERPLUS_REASON}`)

const HEADER = 'subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal'
const AFFECTNET_ID: Record<string, number> = {
  neutral: 0,
  happiness: 1,
  sadness: 2,
  surprise: 3,
  fear: 4,
  disgust: 5,
  anger: 6,
  contempt: 7
}
const landmarks = (seed: number): string =>
  Array.from({ length: 136 }, (_, i) => ((seed * 7 + i * 3.25) % 48).toFixed(2)).join(';')

/** AffectNet's layout with real faces: numbered image folders, the two lists with all eleven expression codes. */
async function affectnetFixture(): Promise<{ root: string; training: string; validation: string }> {
  const root = await tempDir('pf-affectnet-')
  const faces = pickFaces(2)
  const rows: string[] = []
  for (const [i, face] of faces.entries()) {
    // The last three faces carry AffectNet's "no emotion" codes: 8 None, 9 Uncertain, 10 Non-Face.
    const code = i >= faces.length - 3 ? 8 + (faces.length - 1 - i) : AFFECTNET_ID[face.label]
    const path = `${100 + (i % 3)}/${face.name.replace('.png', '')}a1b2c3.jpg`
    await writeJpeg(face, join(root, 'Manually_Annotated_Images', path))
    rows.push(`${path},0,0,48,48,${landmarks(i)},${code},${(((i % 5) - 2) / 2).toFixed(6)},${((i % 3) / 3).toFixed(6)}`)
  }
  const training = [HEADER, ...rows.filter((_, i) => i % 4 !== 0)].join('\r\n') + '\r\n'
  const validation = [HEADER, ...rows.filter((_, i) => i % 4 === 0)].join('\r\n') + '\r\n'
  await write(join(root, 'Manually_Annotated_file_lists', 'training.csv'), training)
  await write(join(root, 'Manually_Annotated_file_lists', 'validation.csv'), validation)
  return { root, training, validation }
}

describe.skipIf(!HAS_FERPLUS)('AffectNet lists (real faces)', () => {
  it('finds the image folder, maps 0–7, keeps 8/9/10 unlabelled with the reason, and keeps box, valence, arousal', async () => {
    const { root } = await affectnetFixture()
    const { format, samples, api, report, ctx } = await openThroughApi(root)
    expect(format).toMatchObject({
      format: 'affectnet',
      labelFiles: ['Manually_Annotated_file_lists/training.csv', 'Manually_Annotated_file_lists/validation.csv'],
      options: { imagePrefix: 'Manually_Annotated_Images/' }
    })
    expect(samples).toHaveLength(pickFaces(2).length)
    expect(samples.every((s) => s.relPath.startsWith('Manually_Annotated_Images/'))).toBe(true)
    expect(new Set(samples.map((s) => s.split))).toEqual(new Set(['train', 'valid']))
    const unlabelled = samples.filter((s) => s.originalLabel === null)
    expect(unlabelled).toHaveLength(3)
    const reasons = await Promise.all(unlabelled.map(async (s) => (await api.getSample({ sampleId: s.id })).source?.excluded))
    expect(reasons.sort()).toEqual([
      'AffectNet expression 10 (Non-Face): no face in the image',
      'AffectNet expression 8 (None): none of the eight emotions',
      'AffectNet expression 9 (Uncertain)'
    ])
    const labelled = await api.getSample({ sampleId: samples.find((s) => s.originalLabel !== null)!.id })
    expect(labelled.source?.extras).toMatchObject({
      faceBox: [0, 0, 48, 48],
      valence: expect.any(Number),
      arousal: expect.any(Number)
    })
    expect(report.problems.filter((p) => p.kind === 'error')).toEqual([])
    expect(format.classMapping.filter((c) => c.label === null).map((c) => c.name)).toEqual(['None', 'Uncertain', 'Non-Face'])

    // Opened again unchanged: every sample is recognised as it was, sources included (a source
    // that read back differently would be rewritten for every sample on every open). What is
    // written is the dataset's own rows: format, label files, grouping.
    const rowsWritten = (): number => ctx.db.prepare('SELECT total_changes()').pluck().get() as number
    const before = rowsWritten()
    const again = await api.openDataset({ root })
    expect(again.report).toMatchObject({ added: 0, removed: 0, changed: 0, unchanged: samples.length })
    expect(rowsWritten() - before).toBeLessThan(samples.length)
  })

  it('shows contempt as a class a 7-class model lacks, without dropping its samples', async () => {
    const { root } = await affectnetFixture()
    const { api, dataset, samples } = await openThroughApi(root)
    const sevenClasses = EMOTIONS.filter((e) => e !== 'contempt')
    const info = await api.getDatasetFormat({ datasetId: dataset.id, modelClasses: sevenClasses })
    expect(info.classMapping.find((c) => c.id === '7')).toMatchObject({
      label: 'contempt',
      inModel: false,
      note: 'the model has no contempt class: kept as a label of its own, never predicted',
      count: samples.filter((s) => s.originalLabel === 'contempt').length
    })
    expect(samples.some((s) => s.originalLabel === 'contempt')).toBe(true)
  })

  it('round-trips both lists byte for byte; a change rewrites the expression field; a removed label writes 9', async () => {
    const { root, training, validation } = await affectnetFixture()
    const { api, dataset, samples } = await openThroughApi(root)
    const out = await exportSource(api, dataset.id)
    expect(await readFile(join(out, 'Manually_Annotated_file_lists', 'training.csv'), 'utf8')).toBe(training)
    expect(await readFile(join(out, 'Manually_Annotated_file_lists', 'validation.csv'), 'utf8')).toBe(validation)

    const train = samples.filter((s) => s.split === 'train' && s.originalLabel !== null)
    await api.setLabel({
      datasetId: dataset.id,
      sampleIds: [train[0].id],
      label: train[0].originalLabel === 'fear' ? 'disgust' : 'fear'
    })
    await api.setLabel({ datasetId: dataset.id, sampleIds: [train[1].id], label: null })
    await api.exportLabels({ datasetId: dataset.id, format: 'source', path: out, overwrite: true })
    const written = await readFile(join(out, 'Manually_Annotated_file_lists', 'training.csv'), 'utf8')
    expect(differingLines(training, written)).toHaveLength(2)
    const rowOf = (relPath: string) =>
      written.split('\r\n').find((l) => l.startsWith(relPath.replace('Manually_Annotated_Images/', '')))!
    expect(rowOf(train[0].relPath).split(',')[6]).toBe(train[0].originalLabel === 'fear' ? '5' : '4')
    expect(rowOf(train[1].relPath).split(',')[6]).toBe('9')
    expect(await readFile(join(out, 'Manually_Annotated_file_lists', 'validation.csv'), 'utf8')).toBe(validation)
  })

  it('lists unknown codes, short rows and missing images with their line', async () => {
    const { root, training } = await affectnetFixture()
    const lines = training.split('\r\n')
    const bad = [
      lines[0],
      lines[1].replace(/,(\d+),([^,]*),([^,]*)$/, ',12,$2,$3'),
      '689/short.jpg,1,2',
      'missing/none.jpg,0,0,48,48,1;2,3,0.1,0.2',
      ...lines.slice(2)
    ]
    await write(join(root, 'Manually_Annotated_file_lists', 'training.csv'), bad.join('\r\n'))
    const { report } = await openThroughApi(root)
    expect(report.problems.filter((p) => p.kind === 'error').map((p) => [p.line, p.reason.replace(/ \(.*$/, '')])).toEqual([
      [2, 'line 2: unknown expression "12"'],
      [3, 'line 3: expected 9 fields with an image path, found 3'],
      [4, 'line 4: image Manually_Annotated_Images/missing/none.jpg is not on disk']
    ])
  })
})
