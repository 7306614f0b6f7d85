import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { scanDataset } from '@main/datasets/scan'
import { openDb } from '@main/store/db'
import { getDatasetSummary } from '@main/store/datasets'
import { setLabels } from '@main/store/labels'
import { querySamples } from '@main/store/samples'
import { tempDir, writePng } from '../helpers/data'

/** Three faces, two labelled by a CSV, one unlisted (unlabelled). */
async function labelledFolder(): Promise<string> {
  const root = await tempDir('pf-summary-')
  await writePng(join(root, 'images', 'a.png'), 10)
  await writePng(join(root, 'images', 'b.png'), 20)
  await writePng(join(root, 'images', 'c.png'), 30)
  await writeFile(join(root, 'labels.csv'), 'file,emotion\nimages/a.png,happy\nimages/b.png,angry\n')
  return root
}

describe("a dataset's labels in its summary", () => {
  it('are every original and current label of its present samples, each once, none for the unlabelled', async () => {
    const root = await labelledFolder()
    const db = openDb(':memory:')
    const { datasetId } = await scanDataset(db, root)
    expect(getDatasetSummary(db, datasetId)?.labels).toEqual(['happiness', 'anger'])
    const b = querySamples(db, datasetId, {}, 0, 100).samples.find((s) => s.relPath === 'images/b.png')!
    const c = querySamples(db, datasetId, {}, 0, 100).samples.find((s) => s.relPath === 'images/c.png')!
    setLabels(db, datasetId, [b.id], 'contempt') // anger stays: it is b's original label
    setLabels(db, datasetId, [c.id], 'fear') // an unlabelled face given a label
    expect(getDatasetSummary(db, datasetId)?.labels).toEqual(['happiness', 'anger', 'fear', 'contempt'])
  })
})
