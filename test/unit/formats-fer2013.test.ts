import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { sampleImage } from '@main/media/sampleImage'
import { imageSources } from '@main/media/sampleSource'
import { parsePixels } from '@shared/formats/fer2013'
import { HAS_FERPLUS, NO_FERPLUS_REASON, tempDir } from '../helpers/data'
import {
  differingLines,
  exportSource,
  facePixels,
  openThroughApi,
  originalFer2013Labels,
  pickFaces,
  write
} from '../helpers/formatFixtures'

if (!HAS_FERPLUS) console.warn(`[formats-fer2013] fixture cases skipped: ${NO_FERPLUS_REASON}`)

const FER2013_ID: Record<string, string> = {
  angry: '0',
  disgust: '1',
  fear: '2',
  happy: '3',
  sad: '4',
  surprise: '5',
  neutral: '6'
}

/** fer2013.csv rebuilt from real faces: their pixels, their original FER2013 label and usage. */
async function fer2013Fixture(): Promise<{ root: string; csv: string; faces: { pixels: Uint8Array; label: string }[] }> {
  const root = await tempDir('pf-fer2013-')
  const original = originalFer2013Labels()
  const faces = []
  const rows = ['emotion,pixels,Usage']
  for (const face of pickFaces(2)) {
    const known = original.get(face.ferplusPath)
    if (!known) continue
    const pixels = await facePixels(face)
    rows.push(`${FER2013_ID[known.label]},${[...pixels].join(' ')},${known.usage}`)
    faces.push({ pixels, label: known.label })
  }
  const csv = rows.join('\n') + '\n'
  await write(join(root, 'fer2013.csv'), csv)
  return { root, csv, faces }
}

describe('FER2013 pixels', () => {
  it('decodes space-separated values into a square image and says what is wrong otherwise', () => {
    expect(parsePixels('0 1 2 255')).toEqual({ width: 2, height: 2, data: new Uint8Array([0, 1, 2, 255]) })
    expect(parsePixels('0 1 2')).toBe('3 pixel values do not make a square image (48×48 = 2304)')
    expect(parsePixels('0 1 2 256')).toBe('pixel 4 is above 255')
    expect(parsePixels('0 1 x 3')).toBe('pixel 3 is not a number (found "x")')
  })
})

describe.skipIf(!HAS_FERPLUS)('FER2013 CSV (real faces)', () => {
  it('opens rows as samples with virtual paths, labels mapped from 0–6, images served from the pixels', async () => {
    const { root, faces } = await fer2013Fixture()
    const { ctx, format, samples, api, dataset } = await openThroughApi(root)
    expect(format).toMatchObject({ format: 'fer2013', labelFiles: ['fer2013.csv'] })
    expect(samples.map((s) => s.relPath)).toEqual(faces.map((_, i) => `fer2013.csv#row-${String(i).padStart(5, '0')}`))
    const canonical: Record<string, string> = { angry: 'anger', happy: 'happiness', sad: 'sadness' }
    expect(samples.map((s) => s.originalLabel)).toEqual(faces.map((f) => canonical[f.label] ?? f.label))
    expect(new Set(samples.map((s) => s.split))).toEqual(new Set(['valid']))

    const image = await sampleImage(ctx, 'full', samples[0].id)
    expect(image.contentType).toBe('image/png')
    expect(await sharp(image.bytes).metadata()).toMatchObject({ width: 48, height: 48, channels: 1 })
    const { data } = await sharp(image.bytes).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true })
    expect(new Uint8Array(data)).toEqual(faces[0].pixels)
    expect((await sampleImage(ctx, 'thumb', samples[0].id)).bytes.equals(image.bytes)).toBe(true)

    // What inference decodes for the row: its own pixels, not a file.
    const hash = (await api.getSample({ sampleId: samples[0].id })).contentHash
    expect(imageSources(ctx.db, dataset.id, root)({ hash, relPath: 'missing.png' })).toMatchObject({
      width: 48,
      height: 48,
      data: faces[0].pixels
    })
    const detail = await api.getSample({ sampleId: samples[0].id })
    expect(detail.source).toMatchObject({ labelFile: 'fer2013.csv', line: 2 })
    // Reopening finds nothing new: hashes come from the pixels and are stable.
    const again = await api.openDataset({ root })
    expect(again.report).toMatchObject({ added: 0, changed: 0, removed: 0, unchanged: faces.length })
    expect(again.dataset.id).toBe(dataset.id)
  })

  it('round-trips byte for byte; changes rewrite the emotion field only; a removed label drops the row', async () => {
    const { root, csv } = await fer2013Fixture()
    const { api, dataset, samples } = await openThroughApi(root)
    const out = await exportSource(api, dataset.id)
    expect(await readFile(join(out, 'fer2013.csv'), 'utf8')).toBe(csv)

    const target = samples.find((s) => s.originalLabel !== 'surprise')!
    await api.setLabel({ datasetId: dataset.id, sampleIds: [target.id], label: 'surprise' })
    await api.exportLabels({ datasetId: dataset.id, format: 'source', path: out, overwrite: true })
    const changed = await readFile(join(out, 'fer2013.csv'), 'utf8')
    const row = Number(target.relPath.split('#row-')[1]) + 1
    expect(differingLines(csv, changed)).toEqual([row])
    expect(changed.split('\n')[row]).toBe('5' + csv.split('\n')[row].slice(1))

    await api.setLabel({ datasetId: dataset.id, sampleIds: [target.id], label: null })
    expect(await api.exportLabels({ datasetId: dataset.id, format: 'source', path: out, overwrite: true })).toMatchObject({
      dropped: 1
    })
    expect((await readFile(join(out, 'fer2013.csv'), 'utf8')).split('\n')).toHaveLength(csv.split('\n').length - 1)

    await api.setLabel({ datasetId: dataset.id, sampleIds: [target.id], label: 'contempt' })
    await expect(api.exportLabels({ datasetId: dataset.id, format: 'source', path: out, overwrite: true })).rejects.toThrow(
      /FER2013 has no class for contempt/
    )
  })

  it('reports malformed rows by line and opens the rest', async () => {
    const { root, csv } = await fer2013Fixture()
    const lines = csv.trim().split('\n')
    const good = lines[1]
    await write(
      join(root, 'fer2013.csv'),
      [
        lines[0],
        good,
        '3,1 2 3,Training',
        '9' + good.slice(1),
        good.replace(' ', ' x '),
        '3,"1 2 3 4',
        '3',
        ...lines.slice(2)
      ].join('\n') + '\n'
    )
    const { report, samples } = await openThroughApi(root)
    expect(report.problems.filter((p) => p.kind === 'error').map((p) => p.reason.replace(/ \(.*$/, ''))).toEqual([
      'line 3: 3 pixel values do not make a square image',
      'line 4: unknown emotion id "9"',
      'line 5: pixel 2 is not a number',
      'line 6: a quoted field opened at column 3 is never closed',
      'line 7: expected 3 fields'
    ])
    expect(samples).toHaveLength(lines.length - 1 + 1) // the unknown id stays, unlabelled
  })

  it("follows an edited file on reopen, keeping the user's own decisions and logging what moved", async () => {
    const { root, csv } = await fer2013Fixture()
    const { api, dataset, samples } = await openThroughApi(root)
    const [first, second] = samples
    await api.setLabel({ datasetId: dataset.id, sampleIds: [second.id], label: 'fear' })
    const lines = csv.split('\n')
    lines[1] = '2' + lines[1].slice(1) // first row → fear in the file
    lines[2] = '2' + lines[2].slice(1) // second row too (the user's label stays)
    await write(join(root, 'fer2013.csv'), lines.join('\n'))
    await api.openDataset({ root })
    const a = await api.getSample({ sampleId: first.id })
    const b = await api.getSample({ sampleId: second.id })
    expect(a).toMatchObject({ originalLabel: 'fear', currentLabel: 'fear' })
    expect(a.history.at(-1)).toMatchObject({ oldLabel: first.originalLabel, newLabel: 'fear', source: 'import' })
    expect(b).toMatchObject({ originalLabel: 'fear', currentLabel: 'fear' })
    expect(b.history.map((e) => e.source)).toEqual(['user'])
  })
})
