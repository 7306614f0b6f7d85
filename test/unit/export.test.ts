import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { closeContext, createContext } from '@main/api/context'
import { createApiHandlers } from '@main/api/service'
import { cleanedTreePlaces, labelsCsv } from '@main/datasets/exportFormats'
import type { Sample } from '@shared/types'
import { tempDir, writePng } from '../helpers/data'

const sample = (
  relPath: string,
  originalLabel: string | null,
  currentLabel: string | null,
  split: Sample['split'] = null
): Sample => ({
  id: 0,
  relPath,
  split,
  originalLabel,
  currentLabel,
  size: 1
})

describe('export formats', () => {
  it('writes a CSV that quotes what needs quoting', () => {
    expect(labelsCsv([sample('happy/a.png', 'happiness', 'fear'), sample('odd, "name".png', null, null)])).toBe(
      'path,original_label,current_label,changed\nhappy/a.png,happiness,fear,1\n"odd, ""name"".png",,,0\n'
    )
  })
  it('places the images of a dataset without class folders by split and current label, never reusing a target', () => {
    const places = cleanedTreePlaces(
      [
        sample('x/happy/a.png', 'happiness', 'sadness', 'train'),
        sample('y/sad/a.png', 'sadness', 'sadness', 'train'),
        sample('b.png', null, null),
        sample('fer2013.csv#row-00042', 'fear', 'fear', 'test')
      ],
      'ferplus',
      new Map()
    )
    expect(places.map((p) => p.target)).toEqual([
      'train/sadness/a.png',
      'train/sadness/a-2.png',
      '_unlabelled/b.png',
      'test/fear/row-00042.png'
    ])
  })
  it('places an ImageFolder dataset’s images in its own folders: unchanged in place, relabelled into the spelled class folder', () => {
    const places = cleanedTreePlaces(
      [sample('train/angry/a.png', 'anger', 'anger', 'train'), sample('train/happy/b.png', 'happiness', 'anger', 'train')],
      'imagefolder',
      new Map([['anger', 'angry']])
    )
    expect(places.map((p) => p.target)).toEqual(['train/angry/a.png', 'train/angry/b.png'])
  })
})

describe('exporting through the API', () => {
  it('writes the file, never overwrites silently, and keeps a backup when asked to replace', async () => {
    const root = await tempDir('pf-export-')
    await writePng(join(root, 'happy', 'a.png'))
    await writePng(join(root, 'sad', 'b.png'))
    const ctx = createContext(await tempDir('pf-home-'), '0.0.0')
    const api = createApiHandlers(ctx)
    const { dataset } = await api.openDataset({ root })
    await api.setLabel({ datasetId: dataset.id, sampleIds: [1], label: 'neutral' })
    const out = join(await tempDir('pf-out-'), 'labels.csv')

    expect(await api.exportLabels({ datasetId: dataset.id, format: 'csv', path: out, overwrite: false })).toEqual({
      path: out,
      rows: 2,
      changed: 1,
      backupPath: null,
      files: [out],
      backups: [],
      leftOut: { excluded: 0, notAFace: 0 }
    })
    const first = await readFile(out, 'utf8')
    expect(first).toBe(
      'path,original_label,current_label,changed\nhappy/a.png,happiness,neutral,1\nsad/b.png,sadness,sadness,0\n'
    )

    await expect(api.exportLabels({ datasetId: dataset.id, format: 'csv', path: out, overwrite: false })).rejects.toMatchObject({
      code: 'exists'
    })
    await api.undo({ datasetId: dataset.id })
    const replaced = await api.exportLabels({ datasetId: dataset.id, format: 'csv', path: out, overwrite: true })
    expect(await readFile(replaced.backupPath!, 'utf8')).toBe(first)
    expect(await readFile(out, 'utf8')).toContain('happy/a.png,happiness,happiness,0')
    // No temporary files left behind; nothing written into the dataset folder.
    const written = (await readdir(join(out, '..'))).sort()
    expect(written).toHaveLength(2)
    expect(written[0]).toBe('labels.csv')
    expect(written[1]).toMatch(/^labels\.csv\.\d{8}-\d{6}-\d{3}\.bak$/)
    expect((await readdir(root)).sort()).toEqual(['happy', 'sad'])
    await expect(
      api.exportLabels({ datasetId: dataset.id, format: 'csv', path: 'relative.csv', overwrite: false })
    ).rejects.toMatchObject({ code: 'bad_request' })
    await closeContext(ctx)
  })
})

describe('exports with provenance', () => {
  async function relabelled() {
    const root = await tempDir('pf-prov-')
    await writePng(join(root, 'train', 'happy', 'a.png'), 10)
    await writePng(join(root, 'train', 'sad', 'b.png'), 20)
    await writePng(join(root, 'c.png'), 30)
    const ctx = createContext(await tempDir('pf-home-'), '0.0.0')
    const api = createApiHandlers(ctx)
    const { dataset } = await api.openDataset({ root })
    const { samples } = await api.querySamples({ datasetId: dataset.id, filter: {}, offset: 0, limit: 10 })
    const id = (relPath: string) => samples.find((s) => s.relPath === relPath)!.id
    await api.setLabel({ datasetId: dataset.id, sampleIds: [id('train/happy/a.png')], label: 'fear' })
    await api.setLabel({ datasetId: dataset.id, sampleIds: [id('train/happy/a.png')], label: 'anger' })
    await api.setLabel({ datasetId: dataset.id, sampleIds: [id('c.png')], label: 'neutral' })
    return { api, ctx, dataset, out: await tempDir('pf-out-') }
  }

  it('writes every sample with old and new label, when and by what it changed', async () => {
    const { api, dataset, out } = await relabelled()
    const path = join(out, 'provenance.csv')
    expect(await api.exportLabels({ datasetId: dataset.id, format: 'provenance-csv', path, overwrite: false })).toMatchObject({
      rows: 3,
      changed: 2
    })
    const lines = (await readFile(path, 'utf8')).trim().split('\n')
    expect(lines[0]).toBe(
      'path,split,label_file,line,source_label,source_excluded,original_label,current_label,changed,changed_at,change_source,' +
        'marks,excluded,note,score,suggested_label,reviewed,reviewed_at,status'
    )
    expect(lines[1]).toMatch(/^c\.png,,,,,,,neutral,1,\d{4}-\d\d-\d\dT[\d:.]+Z,user,,,,,,1,[^,]+,present$/)
    expect(lines[2]).toMatch(/^train\/happy\/a\.png,train,,,,,happiness,anger,1,[^,]+,user,,,,,,1,[^,]+,present$/)
    expect(lines[3]).toBe('train/sad/b.png,train,,,,,sadness,sadness,0,,,,,,,,0,,present')
  })

  it('writes the change log, and one JSON with the format, class mapping, samples and changes', async () => {
    const { api, dataset, out } = await relabelled()
    await api.undo({ datasetId: dataset.id })
    const log = join(out, 'changes.csv')
    expect(await api.exportLabels({ datasetId: dataset.id, format: 'changelog-csv', path: log, overwrite: false })).toMatchObject(
      { rows: 4 }
    )
    expect(
      (await readFile(log, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => l.replace(/^[^,]+,/, ''))
    ).toEqual([
      'path,old_label,new_label,source',
      'train/happy/a.png,happiness,fear,user',
      'train/happy/a.png,fear,anger,user',
      'c.png,,neutral,user',
      'c.png,neutral,,undo'
    ])
    const path = join(out, 'provenance.json')
    await api.exportLabels({ datasetId: dataset.id, format: 'provenance-json', path, overwrite: false })
    const doc = JSON.parse(await readFile(path, 'utf8'))
    expect(doc).toMatchObject({
      dataset: { name: expect.stringMatching(/^pf-prov-/) },
      format: {
        format: 'imagefolder',
        classMapping: expect.arrayContaining([expect.objectContaining({ id: 'happy', label: 'happiness' })])
      },
      counts: { samples: 3, changed: 1, changes: 4 }
    })
    expect(doc.samples[1]).toMatchObject({
      path: 'train/happy/a.png',
      originalLabel: 'happiness',
      currentLabel: 'anger',
      changed: true,
      changeSource: 'user',
      marks: [],
      score: null,
      reviewed: true
    })
    expect(doc.changes).toHaveLength(4)
  })

  it('exports in the source format into a folder, refusing to replace without asking, keeping backups when asked', async () => {
    const { api, dataset, out } = await relabelled()
    const folder = join(out, 'source')
    const first = await api.exportLabels({ datasetId: dataset.id, format: 'source', path: folder, overwrite: false })
    expect(first).toMatchObject({ path: folder, files: [join(folder, 'imagefolder-moves.tsv')], backups: [] })
    await expect(
      api.exportLabels({ datasetId: dataset.id, format: 'source', path: folder, overwrite: false })
    ).rejects.toMatchObject({ code: 'exists' })
    const second = await api.exportLabels({ datasetId: dataset.id, format: 'source', path: folder, overwrite: true })
    expect(second.backups).toEqual([expect.stringMatching(/imagefolder-moves\.tsv\.\d{8}-\d{6}-\d{3}\.bak$/)])
    expect(await api.suggestExportPath({ datasetId: dataset.id, format: 'source' })).toMatch(/-labels-\d{8}-\d{6}$/)
    expect(await api.suggestExportPath({ datasetId: dataset.id, format: 'provenance-json' })).toMatch(/-provenance\.json$/)
  })
})
