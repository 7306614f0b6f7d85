import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdir, readFile, realpath, symlink, truncate, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { closeContext, createContext } from '@main/api/context'
import { createApiHandlers } from '@main/api/service'
import { scanDataset } from '@main/datasets/scan'
import { openDb } from '@main/store/db'
import { listProblems, querySamples } from '@main/store/samples'
import { datasetIdForRoot } from '@main/store/sources'
import { tempDir, writePng } from '../helpers/data'

/**
 * Issue 18, Scanning (F1–F5): hostile folders that multiplied, hung or silently dropped entries.
 * Everything here is real: folders, links, pipes and sparse files on disk, SQLite, the API.
 */

const GIB = 1024 * 1024 * 1024
const onLinux = process.platform === 'linux'

/** Bytes this process has read through read(2) so far (Linux), sparse files included. */
function bytesReadSoFar(): number | null {
  if (!existsSync('/proc/self/io')) return null
  return Number(/rchar: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1])
}

async function sampleCount(db: ReturnType<typeof openDb>, datasetId: number): Promise<number> {
  return querySamples(db, datasetId, {}, 0, 1000).total
}

async function threeFaces(prefix: string): Promise<string> {
  const root = await tempDir(prefix)
  await writePng(join(root, 'happy', 'a.png'), 10)
  await writePng(join(root, 'happy', 'b.png'), 20)
  await writePng(join(root, 'sad', 'c.png'), 30)
  return root
}

describe('scanning hostile folders (issue 18)', () => {
  it('F1: a symlink loop inside the dataset (loop/up -> ..) is followed once: each image is one sample', async () => {
    const root = await threeFaces('pf-f1-')
    await mkdir(join(root, 'loop'))
    await symlink('..', join(root, 'loop', 'up'))
    await symlink('happy', join(root, 'happy-again'))
    const db = openDb(':memory:')
    const { datasetId, report } = await scanDataset(db, root)
    expect(report.added).toBe(3)
    const paths = querySamples(db, datasetId, {}, 0, 1000).samples.map((s) => s.relPath)
    expect(paths).toEqual(['happy/a.png', 'happy/b.png', 'sad/c.png'])
    expect(listProblems(db, datasetId)).toEqual([
      {
        relPath: 'happy-again',
        kind: 'ignored',
        reason: 'leads to happy, already scanned: not followed again, so no image is counted twice'
      },
      {
        relPath: 'loop/up',
        kind: 'ignored',
        reason: 'leads to the dataset folder itself: not followed again, so no image is counted twice'
      }
    ])
  })

  it('F2: two self-links (a -> ., b -> .) end the scan with each image once and both links reported', async () => {
    const root = await threeFaces('pf-f2-')
    await symlink('.', join(root, 'a'))
    await symlink('.', join(root, 'b'))
    const db = openDb(':memory:')
    const { datasetId, report } = await scanDataset(db, root)
    expect(report.added).toBe(3)
    expect(listProblems(db, datasetId).map((p) => [p.relPath, p.reason])).toEqual([
      ['a', expect.stringMatching(/^leads to the dataset folder itself/)],
      ['b', expect.stringMatching(/^leads to the dataset folder itself/)]
    ])
  })

  it('F2: a scan cancelled while listing rejects and stores nothing, not even the dataset', async () => {
    const root = await threeFaces('pf-f2-cancel-')
    const db = openDb(':memory:')
    const controller = new AbortController()
    const scan = scanDataset(db, root, (p) => p.phase === 'listing' && controller.abort(), {}, { signal: controller.signal })
    await expect(scan).rejects.toMatchObject({ name: 'AbortError' })
    expect(datasetIdForRoot(db, root)).toBeNull()
  })

  it('F2: a rescan cancelled while reading leaves the dataset as it was', async () => {
    const root = await threeFaces('pf-f2-reread-')
    const db = openDb(':memory:')
    const { datasetId } = await scanDataset(db, root)
    await writePng(join(root, 'sad', 'd.png'), 40)
    await writeFile(join(root, 'sad', 'e.png'), 'not a picture')
    const controller = new AbortController()
    const scan = scanDataset(db, root, (p) => p.phase === 'reading' && controller.abort(), {}, { signal: controller.signal })
    await expect(scan).rejects.toMatchObject({ name: 'AbortError' })
    expect(await sampleCount(db, datasetId)).toBe(3)
    expect(listProblems(db, datasetId)).toEqual([])
  })

  it('F2: cancelScan stops an openDataset in progress; it answers a clear error and stores nothing', async () => {
    const ctx = createContext(await tempDir('pf-f2-api-data-'), 'test')
    const api = createApiHandlers(ctx)
    const root = await tempDir('pf-f2-api-')
    // Enough files that the scan is still listing and reading when the cancel (two fs calls) lands.
    await writePng(join(root, 'happy', 'a.png'))
    const png = await readFile(join(root, 'happy', 'a.png'))
    for (let i = 0; i < 200; i++) await writeFile(join(root, 'happy', `f${i}.png`), png)
    expect(await api.cancelScan({ root })).toEqual({ cancelled: false })
    let cancelled: Promise<{ cancelled: boolean }> | undefined
    ctx.events.subscribe((event) => {
      if (event === 'scanProgress' && !cancelled) cancelled = api.cancelScan({ root })
    })
    await expect(api.openDataset({ root })).rejects.toMatchObject({
      code: 'bad_request',
      message: `Opening ${await realpath(root)} was cancelled; nothing was stored, the dataset is as it was.`
    })
    expect(await cancelled).toEqual({ cancelled: true })
    expect(await api.listDatasets({})).toEqual([])
    await closeContext(ctx)
  })

  it('F3: a sparse 1 GB file named .png is refused from its first bytes, never read whole', async () => {
    const root = await threeFaces('pf-f3-')
    const big = join(root, 'happy', 'huge.png')
    await writeFile(big, '')
    await truncate(big, GIB)
    const db = openDb(':memory:')
    const before = bytesReadSoFar()
    const { datasetId, report } = await scanDataset(db, root)
    const read = before === null ? null : (bytesReadSoFar() as number) - before
    expect(report.added).toBe(3)
    expect(listProblems(db, datasetId)).toEqual([
      {
        relPath: 'happy/huge.png',
        kind: 'error',
        reason: 'not an image: the content is not PNG, JPEG, GIF, BMP, WebP or TIFF'
      }
    ])
    if (read !== null) expect(read).toBeLessThan(16 * 1024 * 1024)
  })

  it('F3: an image-looking file over the size cap is reported as too large, not read', async () => {
    const root = await tempDir('pf-f3-cap-')
    await writePng(join(root, 'face.png'))
    const big = join(root, 'poster.png')
    // A real PNG's first bytes (signature and IHDR), then a gigabyte of holes.
    await writeFile(big, (await readFile(join(root, 'face.png'))).subarray(0, 64))
    await truncate(big, GIB)
    const db = openDb(':memory:')
    const before = bytesReadSoFar()
    const { datasetId, report } = await scanDataset(db, root)
    const read = before === null ? null : (bytesReadSoFar() as number) - before
    expect(report.added).toBe(1)
    expect(listProblems(db, datasetId)).toEqual([
      { relPath: 'poster.png', kind: 'error', reason: 'too large for an image: 1,024 MB (the limit is 256 MB); not read' }
    ])
    if (read !== null) expect(read).toBeLessThan(16 * 1024 * 1024)
  })

  it('F3: a file refused once is not read again while its size and modification time stay the same', async () => {
    const root = await tempDir('pf-f3-cache-')
    await writePng(join(root, 'happy', 'a.png'))
    const png = await readFile(join(root, 'happy', 'a.png'))
    const b = join(root, 'happy', 'b.png')
    // Whole seconds: a time that utimes sets back exactly (milliseconds go through a float).
    const then = 1_700_000_000
    await writeFile(b, Buffer.alloc(png.length, 'x'))
    await utimes(b, then, then)
    const db = openDb(':memory:')
    const first = await scanDataset(db, root)
    expect(first.report.added).toBe(1)
    const refused = listProblems(db, first.datasetId)
    expect(refused).toEqual([{ relPath: 'happy/b.png', kind: 'error', reason: expect.stringMatching(/^not an image/) }])

    // Same size, same modification time, other bytes: only a read would notice, so the verdict
    // coming back unchanged shows the file was not read.
    await writeFile(b, png)
    await utimes(b, then, then)
    const second = await scanDataset(db, root)
    expect(second.report).toMatchObject({ added: 0, unchanged: 1 })
    expect(listProblems(db, first.datasetId)).toEqual(refused)

    // A new modification time is a changed file: read again, and now it is an image.
    await utimes(b, then, then + 5)
    const third = await scanDataset(db, root)
    expect(third.report).toMatchObject({ added: 1, unchanged: 1 })
    expect(listProblems(db, first.datasetId)).toEqual([])
  })

  it.skipIf(!onLinux)('F4: a file or folder whose name is not valid UTF-8 is reported as such, never as gone', async () => {
    const root = await threeFaces('pf-f4-')
    const png = await readFile(join(root, 'happy', 'a.png'))
    const rootBytes = Buffer.from(root)
    const badFile = Buffer.concat([rootBytes, Buffer.from('/happy/f'), Buffer.from([0xff]), Buffer.from('.png')])
    writeFileSync(badFile, png)
    const badFolder = Buffer.concat([rootBytes, Buffer.from('/sad '), Buffer.from([0xe9])])
    mkdirSync(badFolder)
    writeFileSync(Buffer.concat([badFolder, Buffer.from('/d.png')]), png)
    const db = openDb(':memory:')
    const { datasetId, report } = await scanDataset(db, root)
    expect(report.added).toBe(3)
    expect(listProblems(db, datasetId)).toEqual([
      {
        relPath: 'happy/f\uFFFD.png',
        kind: 'error',
        reason:
          'file name is not valid UTF-8 (bytes 66 ff 2e 70 6e 67), so it cannot be stored or shown by name: rename it to open it'
      },
      {
        relPath: 'sad \uFFFD',
        kind: 'error',
        reason:
          'folder name is not valid UTF-8 (bytes 73 61 64 20 e9), so it cannot be stored or shown by name: ' +
          'rename it to open it and what it holds'
      }
    ])
  })

  it.skipIf(process.platform === 'win32')(
    'F5: named pipes called .png or .csv are reported with their reason, never opened',
    async () => {
      const root = await threeFaces('pf-f5-')
      // Opening any of these for reading would block the scan until a writer came.
      execFileSync('mkfifo', [join(root, 'happy', 'pipe.png'), join(root, 'labels.csv')])
      await symlink('pipe.png', join(root, 'happy', 'link-to-pipe.png'))
      const db = openDb(':memory:')
      const { datasetId, report } = await scanDataset(db, root)
      expect(report.added).toBe(3)
      const reason = 'not a regular file (a named pipe (FIFO)): not opened'
      expect(listProblems(db, datasetId)).toEqual([
        { relPath: 'happy/link-to-pipe.png', kind: 'ignored', reason },
        { relPath: 'happy/pipe.png', kind: 'ignored', reason },
        { relPath: 'labels.csv', kind: 'ignored', reason }
      ])
    }
  )
})
