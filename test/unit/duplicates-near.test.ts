import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp, { type Sharp } from 'sharp'
import { describe, expect, it } from 'vitest'
import { fingerprintImage } from '@main/duplicates/fingerprint'
import { groupDuplicates } from '@main/duplicates/groups'
import { edgeImage, matchScore, prepareFace } from '@main/duplicates/nearMatch'
import { CLOSE_PAIR_SCORE, NEAR_DUPLICATE_SCORE, findNearDuplicates, type NearPairs } from '@main/duplicates/nearSearch'
import { THUMB_BYTES } from '@main/duplicates/thumbnail'
import { FACE_FIXTURE_DIR } from '../helpers/data'

const FACE = join(FACE_FIXTURE_DIR, 'train', 'happy', 'sample4__face3.png')

/** Every face of the fixture (23 different people's faces), as bytes. */
async function fixtureFaces(): Promise<{ name: string; bytes: Buffer }[]> {
  const out: { name: string; bytes: Buffer }[] = []
  for (const split of ['train', 'test'])
    for (const label of await readdir(join(FACE_FIXTURE_DIR, split)))
      for (const file of (await readdir(join(FACE_FIXTURE_DIR, split, label))).sort())
        out.push({ name: `${split}/${label}/${file}`, bytes: await readFile(join(FACE_FIXTURE_DIR, split, label, file)) })
  return out
}

/** The copies a near-duplicate search must find (the bench's kinds, on a 64-px fixture face). */
function copiesOf(bytes: Buffer): Record<string, Sharp> {
  const shift = (img: Sharp, dx: number, dy: number): Sharp =>
    img.extend({ left: dx, top: dy, extendWith: 'copy' }).extract({ left: 0, top: 0, width: 64, height: 64 })
  return {
    mirrored: sharp(bytes).flop().png(),
    shifted: shift(sharp(bytes), 4, 3).png(),
    cropped: sharp(bytes).extract({ left: 5, top: 5, width: 54, height: 54 }).resize(64, 64).png(),
    brightened: sharp(bytes).linear(1.2, 10).png(),
    jpeg: sharp(bytes).jpeg({ quality: 70 }),
    combined: shift(sharp(bytes).flop(), 3, 0).linear(0.85, 0).jpeg({ quality: 80 })
  }
}

/** Thumbnails as the search takes them: one after another in one array. */
function packed(thumbs: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(thumbs.length * THUMB_BYTES)
  thumbs.forEach((t, i) => out.set(t, i * THUMB_BYTES))
  return out
}
/** The search's pairs as objects, to compare and name. */
const listed = (pairs: NearPairs): { a: number; b: number; score: number }[] =>
  Array.from(pairs.a, (a, p) => ({ a, b: pairs.b[p], score: pairs.score[p] }))
const thumbOf = async (bytes: Buffer): Promise<Uint8Array> => (await fingerprintImage(bytes)).thumb
const score = (a: Uint8Array, b: Uint8Array): number =>
  Math.max(matchScore(prepareFace(edgeImage(a)), edgeImage(b)), matchScore(prepareFace(edgeImage(a, true)), edgeImage(b)))

describe('fingerprints', () => {
  it('give the same pixel hash to the same pixels in other bytes (PNG recompressed, grey stored as RGB), another to one changed pixel', async () => {
    const bytes = await readFile(FACE)
    const original = await fingerprintImage(bytes)
    const recompressed = await fingerprintImage(
      await sharp(bytes).png({ compressionLevel: 0, adaptiveFiltering: true }).toBuffer()
    )
    const asRgb = await fingerprintImage(await sharp(bytes).toColourspace('srgb').png().toBuffer())
    expect(recompressed.pixelHash).toBe(original.pixelHash)
    expect(asRgb.pixelHash).toBe(original.pixelHash)
    expect(asRgb.thumb).toEqual(original.thumb)
    const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true })
    data[0] = data[0] ^ 1
    const touched = await fingerprintImage(await sharp(data, { raw: info }).png().toBuffer())
    expect(touched.pixelHash).not.toBe(original.pixelHash)
  })
})

describe('the near-duplicate verifier', () => {
  it('scores a face against its mirrored, shifted, cropped, brightened and re-encoded copies at or above the threshold', async () => {
    const original = await thumbOf(await readFile(FACE))
    for (const [kind, copy] of Object.entries(copiesOf(await readFile(FACE)))) {
      const s = score(await thumbOf(await copy.toBuffer()), original)
      expect(s, kind).toBeGreaterThanOrEqual(NEAR_DUPLICATE_SCORE)
    }
  })

  it('scores every pair of different faces in the fixture below it, even where the faces are alike in grey levels', async () => {
    const faces = await Promise.all((await fixtureFaces()).map(async (f) => ({ ...f, thumb: await thumbOf(f.bytes) })))
    let highest = -1
    for (let i = 0; i < faces.length; i++)
      for (let j = 0; j < faces.length; j++) if (i !== j) highest = Math.max(highest, score(faces[i].thumb, faces[j].thumb))
    expect(faces.length).toBeGreaterThan(20)
    expect(highest).toBeLessThan(NEAR_DUPLICATE_SCORE)
  })
})

describe('the near-duplicate search', () => {
  it('pairs each copy with its original and nothing else, over the fixture with copies of two faces added (onnxruntime candidates)', async () => {
    const faces = await fixtureFaces()
    const thumbs = await Promise.all(faces.map((f) => thumbOf(f.bytes)))
    const names = faces.map((f) => f.name)
    const truth = new Set<string>()
    for (const original of [0, 7]) {
      const copies = copiesOf(faces[original].bytes)
      const at = thumbs.length
      for (const [kind, copy] of Object.entries(copies)) {
        thumbs.push(await thumbOf(await copy.toBuffer()))
        names.push(`${faces[original].name} ${kind}`)
      }
      // Every copy pairs with the original and with the other copies of it.
      const family = [original, ...Array.from({ length: thumbs.length - at }, (_, k) => at + k)]
      for (const a of family) for (const b of family) if (a < b) truth.add(`${names[a]} | ${names[b]}`)
    }
    const progress: number[] = []
    const pairs = listed(await findNearDuplicates(packed(thumbs), { onProgress: (done, total) => progress.push(done / total) }))
    const found = new Set(pairs.filter((p) => p.score >= NEAR_DUPLICATE_SCORE).map(({ a, b }) => `${names[a]} | ${names[b]}`))
    // By name, so a failure says which copy was missed or which different faces were paired.
    expect([...truth].filter((p) => !found.has(p))).toEqual([])
    expect([...found].filter((p) => !truth.has(p))).toEqual([])
    // Closer pairs below the threshold are kept too, for the benchmark and for a person to look at.
    for (const p of pairs) expect(p.score).toBeGreaterThanOrEqual(CLOSE_PAIR_SCORE)
    // Each pair once (a face and its mirror may both have scored it), a < b, ordered by a then b.
    const order = pairs.map(({ a, b }) => [a, b])
    expect(order.every(([a, b]) => a < b)).toBe(true)
    expect(order).toEqual([...order].sort(([a1, b1], [a2, b2]) => a1 - a2 || b1 - b2))
    expect(new Set(order.map(([a, b]) => `${a}|${b}`)).size).toBe(order.length)
    expect(progress.at(-1)).toBe(1)
  })

  it('pairs nothing with a flat image, and answers nothing for fewer than two faces', async () => {
    const t = await thumbOf(await readFile(FACE))
    expect(listed(await findNearDuplicates(packed([t])))).toEqual([])
    expect(listed(await findNearDuplicates(packed([t, new Uint8Array(THUMB_BYTES)])))).toEqual([])
  })
})

describe('duplicate groups', () => {
  it('join exact duplicates (one pixel key) and near pairs into connected groups, named by the smallest sample id', () => {
    const groups = groupDuplicates(
      [
        { sampleId: 10, pixelKey: 'a' },
        { sampleId: 11, pixelKey: 'a' },
        { sampleId: 12, pixelKey: 'b' },
        { sampleId: 13, pixelKey: 'c' },
        { sampleId: 9, pixelKey: 'e' },
        { sampleId: 14, pixelKey: 'd' },
        { sampleId: 15, pixelKey: 'd' }
      ],
      [
        ['b', 'a'],
        ['c', 'e'],
        ['c', 'b']
      ]
    )
    expect(Object.fromEntries(groups)).toEqual({ 9: 9, 10: 9, 11: 9, 12: 9, 13: 9, 14: 14, 15: 14 })
  })
})
