import { copyFile, mkdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { imageFolderTarget } from '@shared/formats/imagefolder'
import { buildFerplusImageFolder, HAS_FERPLUS, NO_FERPLUS_REASON, tempDir } from '../helpers/data'
import { exportSource, openThroughApi } from '../helpers/formatFixtures'

if (!HAS_FERPLUS) console.warn(`[formats-imagefolder] fixture cases skipped: ${NO_FERPLUS_REASON}`)

describe('ImageFolder targets', () => {
  it("moves an image to its new class folder in the dataset's spelling, keeping split folders", () => {
    const spellings = new Map([['happiness', 'happy']])
    expect(imageFolderTarget('train/sad/a.png', 'happiness', spellings)).toBe('train/happy/a.png')
    expect(imageFolderTarget('train/sad/a.png', 'fear', spellings)).toBe('train/fear/a.png')
    expect(imageFolderTarget('train/sad/a.png', null, spellings)).toBe('train/_unlabelled/a.png')
    expect(imageFolderTarget('FER2013Test/a.png', 'fear', spellings)).toBe('FER2013Test/fear/a.png')
    expect(imageFolderTarget('a.png', 'fear', spellings)).toBe('fear/a.png')
  })
})

describe.skipIf(!HAS_FERPLUS)('ImageFolder trees (real faces)', () => {
  it('lists every image in place when unchanged, moves changed ones, and the moved tree reads back as relabelled', async () => {
    const root = await tempDir('pf-if-')
    const { files } = await buildFerplusImageFolder(root, 2)
    const { api, dataset, format, samples } = await openThroughApi(root)
    expect(format).toMatchObject({ format: 'imagefolder', chosenBy: 'detection', labelFiles: [] })
    expect(format.classMapping.find((c) => c.id === 'happy')).toMatchObject({ label: 'happiness', count: 2, inModel: true })

    const out = await exportSource(api, dataset.id)
    const identity = (await readFile(join(out, 'imagefolder-moves.tsv'), 'utf8')).trim().split('\n').slice(1)
    expect(identity).toHaveLength(files.length)
    expect(identity.every((l) => l.split('\t')[0] === l.split('\t')[1])).toBe(true)

    const happy = samples.find((s) => s.originalLabel === 'happiness')!
    const removed = samples.find((s) => s.originalLabel === 'anger')!
    await api.setLabel({ datasetId: dataset.id, sampleIds: [happy.id], label: 'sadness' })
    await api.setLabel({ datasetId: dataset.id, sampleIds: [removed.id], label: null })
    await api.exportLabels({ datasetId: dataset.id, format: 'source', path: out, overwrite: true })
    const moves = (await readFile(join(out, 'imagefolder-moves.tsv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t'))
    expect(moves.find(([from]) => from === happy.relPath)?.[1]).toBe(happy.relPath.replace('/happy/', '/sad/'))
    expect(moves.find(([from]) => from === removed.relPath)?.[1]).toBe(removed.relPath.replace('/angry/', '/_unlabelled/'))

    // Apply the listing (what a two-line script does) and read the new tree back.
    const cleaned = await tempDir('pf-if-cleaned-')
    for (const [from, to] of moves) {
      await mkdir(dirname(join(cleaned, to)), { recursive: true })
      await copyFile(join(root, from), join(cleaned, to))
    }
    const reread = await openThroughApi(cleaned)
    const current = new Map(
      (await api.querySamples({ datasetId: dataset.id, filter: {}, offset: 0, limit: 100 })).samples.map((s) => [
        s.relPath.split('/').pop(),
        s.currentLabel
      ])
    )
    for (const s of reread.samples) {
      const expected = current.get(s.relPath.split('/').pop())
      // Torchvision's ImageFolder would read `_unlabelled` as a class; this app shows it as its folder name.
      expect(s.originalLabel).toBe(expected === null ? '_unlabelled' : expected)
    }
  })
})
