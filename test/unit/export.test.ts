import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createContext } from '@main/api/context'
import { createApiHandlers } from '@main/api/service'
import { imageFolderListing, labelsCsv } from '@main/datasets/exportFormats'
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
  it('lists ImageFolder targets by split and current label, never reusing a target', () => {
    expect(
      imageFolderListing([
        sample('x/happy/a.png', 'happiness', 'sadness', 'train'),
        sample('y/sad/a.png', 'sadness', 'sadness', 'train'),
        sample('b.png', null, null)
      ])
    ).toBe(
      'source_path\ttarget_path\nx/happy/a.png\ttrain/sadness/a.png\ny/sad/a.png\ttrain/sadness/a-2.png\nb.png\t_unlabelled/b.png\n'
    )
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
      backupPath: null
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
    expect(written[1]).toMatch(/^labels\.csv\.\d{8}-\d{6}\.bak$/)
    expect((await readdir(root)).sort()).toEqual(['happy', 'sad'])
    await expect(
      api.exportLabels({ datasetId: dataset.id, format: 'csv', path: 'relative.csv', overwrite: false })
    ).rejects.toMatchObject({ code: 'bad_request' })
    ctx.db.close()
  })
})
