import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { openThroughApi } from '../helpers/formatFixtures'
import { copyFaceFixture, FACE_FIXTURE_DIR, FACE_FIXTURE_WRONG, tempDir } from '../helpers/data'

// The committed face fixture is what a fresh clone's review-loop tests run on: it must stay small,
// open as the dataset its README describes, and its list of wrong labels must match the tests'.
describe('the committed face fixture (test/fixtures/faces)', () => {
  it('is 23 small grey faces whose wrong labels are the ones its README lists', async () => {
    const files = await copyFaceFixture(await tempDir('pf-fixture-shape-'))
    expect(files).toHaveLength(23)
    let bytes = 0
    for (const f of files) {
      const path = join(FACE_FIXTURE_DIR, f.relPath)
      bytes += (await stat(path)).size
      expect(await sharp(path).metadata(), f.relPath).toMatchObject({ format: 'png', width: 64, height: 64, channels: 1 })
    }
    expect(bytes).toBeLessThan(250_000)
    const readme = await readFile(join(FACE_FIXTURE_DIR, 'README.md'), 'utf8')
    const listed = [...readme.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1])
    expect(listed.sort()).toEqual(Object.keys(FACE_FIXTURE_WRONG).sort())
    for (const path of listed) expect(files.map((f) => f.relPath)).toContain(path)
  })

  it('opens as an ImageFolder with its train and test splits and the labels its folders give', async () => {
    const root = join(await tempDir('pf-fixture-open-'), 'faces')
    const files = await copyFaceFixture(root)
    const { samples, format } = await openThroughApi(root)
    expect(format.format).toBe('imagefolder')
    expect(samples).toHaveLength(files.length)
    const byPath = new Map(samples.map((s) => [s.relPath, s]))
    for (const f of files) expect(byPath.get(f.relPath), f.relPath).toMatchObject({ split: f.split, originalLabel: f.label })
  })
})
