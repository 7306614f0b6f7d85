import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { inspectImageFile } from '@main/datasets/inspectImage'
import { SNIFF_BYTES, sniffHead, sniffImage } from '@main/datasets/sniff'
import { DATA_DIR, tempDir } from '../helpers/data'

async function png(): Promise<Buffer> {
  return sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
    .png()
    .toBuffer()
}
async function jpeg(): Promise<Buffer> {
  return sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
    .jpeg()
    .toBuffer()
}

describe('sniffImage', () => {
  it('accepts real PNG and JPEG files', async () => {
    expect(sniffImage(await png())).toEqual({ ok: true, format: 'png' })
    expect(sniffImage(await jpeg())).toEqual({ ok: true, format: 'jpeg' })
  })
  it('accepts the real photos shipped in shared data', () => {
    let bytes: Buffer
    try {
      bytes = readFileSync(join(DATA_DIR, 'photos', 'sample1.jpg'))
    } catch {
      return // data absent: covered by the synthetic cases above
    }
    expect(sniffImage(bytes)).toEqual({ ok: true, format: 'jpeg' })
  })
  it('names empty, foreign and truncated files', async () => {
    expect(sniffImage(new Uint8Array())).toEqual({ ok: false, reason: 'empty file (0 bytes)' })
    expect(sniffImage(Buffer.from('hello, I am a text file'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^not an image/)
    })
    const p = await png()
    expect(sniffImage(p.subarray(0, p.length - 20))).toMatchObject({ ok: false, reason: expect.stringMatching(/^truncated PNG/) })
    const j = await jpeg()
    expect(sniffImage(j.subarray(0, j.length - 2))).toMatchObject({ ok: false, reason: expect.stringMatching(/^truncated JPEG/) })
  })
})

/** A noisy photo-sized JPEG: several read chunks long, so hashing and the ending check span chunks. */
async function bigJpeg(): Promise<Buffer> {
  return sharp({
    create: { width: 1600, height: 1600, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } }
  })
    .jpeg({ quality: 100 })
    .toBuffer()
}

describe('inspectImageFile (the scan reads each file once)', () => {
  it('F3: a non-image is refused from its first bytes alone', () => {
    expect(sniffHead(new Uint8Array(SNIFF_BYTES), 1024 ** 3)).toEqual({
      ok: false,
      reason: 'not an image: the content is not PNG, JPEG, GIF, BMP, WebP or TIFF'
    })
  })

  it('F3: an image is read once, front to back: the hash is its SHA-256 and the bytes read are its size', async () => {
    const bytes = await bigJpeg()
    expect(bytes.length).toBeGreaterThan(2 * 1024 * 1024)
    const path = join(await tempDir('pf-inspect-'), 'face.jpg')
    await writeFile(path, bytes)
    expect(await inspectImageFile(path)).toEqual({
      ok: true,
      format: 'jpeg',
      size: bytes.length,
      contentHash: createHash('sha256').update(bytes).digest('hex'),
      bytesRead: bytes.length
    })
  })

  it('keeps the bytes it read for the duplicate search, only of files up to the size asked for', async () => {
    const bytes = await bigJpeg()
    const path = join(await tempDir('pf-inspect-'), 'face.jpg')
    await writeFile(path, bytes)
    // Several chunks long: the bytes kept are the whole file, in order.
    const kept = await inspectImageFile(path, { keepBytes: bytes.length })
    expect(kept.ok && kept.bytes?.equals(bytes)).toBe(true)
    const over = await inspectImageFile(path, { keepBytes: bytes.length - 1 })
    expect(over).toMatchObject({ ok: true, size: bytes.length })
    expect(over.ok && over.bytes).toBeUndefined()
  })

  it('reads a small file still the size it was listed with in one go, with the same verdicts; one that moved is read the careful way', async () => {
    const bytes = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } })
      .jpeg()
      .toBuffer()
    const dir = await tempDir('pf-inspect-')
    const path = join(dir, 'face.jpg')
    await writeFile(path, bytes)
    const careful = await inspectImageFile(path, { keepBytes: bytes.length })
    expect(careful).toMatchObject({ ok: true, format: 'jpeg', size: bytes.length })
    expect(await inspectImageFile(path, { keepBytes: bytes.length, listedSize: bytes.length })).toEqual(careful)
    // Listed smaller or larger than it now is (it changed after the listing): the whole file still.
    for (const listedSize of [bytes.length - 10, bytes.length + 10]) {
      expect(await inspectImageFile(path, { listedSize })).toMatchObject({ ok: true, size: bytes.length })
    }
    const cut = join(dir, 'cut.jpg')
    await writeFile(cut, bytes.subarray(0, bytes.length - 2))
    expect(await inspectImageFile(cut, { listedSize: bytes.length - 2 })).toMatchObject({
      ok: false,
      about: 'content',
      reason: 'truncated JPEG: no end-of-image marker'
    })
    const text = join(dir, 'notes.jpg')
    await writeFile(text, 'not a face at all')
    expect(await inspectImageFile(text, { listedSize: 17 })).toMatchObject({ ok: false, about: 'content' })
  })

  it('F3: a truncated image is caught from the tail kept while hashing', async () => {
    const bytes = await bigJpeg()
    const path = join(await tempDir('pf-inspect-'), 'cut.jpg')
    await writeFile(path, bytes.subarray(0, bytes.length - 2))
    expect(await inspectImageFile(path)).toMatchObject({
      ok: false,
      about: 'content',
      reason: 'truncated JPEG: no end-of-image marker'
    })
  })

  it('F3: a file over the size cap is reported with both sizes after reading only its first bytes', async () => {
    const bytes = await bigJpeg()
    const path = join(await tempDir('pf-inspect-'), 'big.jpg')
    await writeFile(path, bytes)
    const cap = 1024 * 1024
    expect(await inspectImageFile(path, { maxBytes: cap })).toEqual({
      ok: false,
      about: 'content',
      reason: expect.stringMatching(/^too large for an image: [\d.]+ MB \(the limit is 1 MB\); not read$/),
      bytesRead: SNIFF_BYTES
    })
  })

  it.skipIf(process.platform === 'win32')(
    'F5: a file that became a named pipe after the listing is refused at once, never waited on',
    async () => {
      const path = join(await tempDir('pf-inspect-'), 'face.png')
      execFileSync('mkfifo', [path])
      // A plain open for reading would block here until a writer came, and the test would time out.
      expect(await inspectImageFile(path)).toEqual({
        ok: false,
        about: 'access',
        reason: 'not a regular file (a named pipe (FIFO)): not opened',
        bytesRead: 0
      })
      // Listed as a file of 100 bytes: the one-go read finds none and hands over to the careful one.
      expect(await inspectImageFile(path, { listedSize: 100 })).toMatchObject({ ok: false, about: 'access' })
    }
  )
})
