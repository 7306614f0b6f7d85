import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { fingerprintImage } from '@main/duplicates/fingerprint'
import { groupDuplicates, nearPairs } from '@main/duplicates/groups'
import { faceDistance, type PerceptualHashes } from '@main/duplicates/perceptualHash'
import { FACE_FIXTURE_DIR } from '../helpers/data'

const FACE = join(FACE_FIXTURE_DIR, 'train', 'happy', 'sample4__face3.png')
const OTHER = join(FACE_FIXTURE_DIR, 'test', 'neutral', 'sample2__face3.png')

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
    const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true })
    data[0] = data[0] ^ 1
    const touched = await fingerprintImage(await sharp(data, { raw: info }).png().toBuffer())
    expect(touched.pixelHash).not.toBe(original.pixelHash)
  })

  it('keep a face within a few bits of its mirrored, shifted, brightened and re-encoded copies, and far from another face', async () => {
    const bytes = await readFile(FACE)
    const original = await fingerprintImage(bytes)
    const copies = [
      sharp(bytes).flop().png(),
      sharp(bytes).extend({ left: 2, extendWith: 'copy' }).extract({ left: 0, top: 0, width: 64, height: 64 }).png(),
      sharp(bytes).linear(1.2, 10).png(),
      sharp(bytes).jpeg({ quality: 70 })
    ]
    for (const copy of copies) {
      const d = faceDistance(original.hashes, (await fingerprintImage(await copy.toBuffer())).hashes)
      expect(d).toBeLessThanOrEqual(8)
    }
    const other = await fingerprintImage(await readFile(OTHER))
    expect(faceDistance(original.hashes, other.hashes)).toBeGreaterThan(12)
  })
})

describe('the near-duplicate lookup', () => {
  // Random hashes, and near copies of some of them with a few bits flipped: the index must find
  // exactly the pairs a comparison of every pair finds.
  let seed = 7
  const random32 = (): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0
    return seed
  }
  const flip = (h: { hi: number; lo: number }, bits: number) => {
    const out = { ...h }
    for (let b = 0; b < bits; b++) {
      const k = random32() % 64
      if (k < 32) out.lo = (out.lo ^ (1 << k)) >>> 0
      else out.hi = (out.hi ^ (1 << (k - 32))) >>> 0
    }
    return out
  }
  const items: PerceptualHashes[] = []
  for (let i = 0; i < 1500; i++)
    items.push({ hash: { hi: random32(), lo: random32() }, mirror: { hi: random32(), lo: random32() } })
  for (let i = 0; i < 300; i++) {
    const base = items[i]
    // Half of the copies are of the mirror image: their hash is near the original's mirror hash.
    items.push(
      i % 2
        ? { hash: flip(base.hash, i % 9), mirror: flip(base.mirror, 1) }
        : { hash: flip(base.mirror, i % 9), mirror: flip(base.hash, 1) }
    )
  }

  it.each([2, 5, 8, 11])('finds every pair within %i bits, as a comparison of all pairs does', (t) => {
    const found = new Set<string>()
    nearPairs(items, t, (i, j, d) => {
      expect(d).toBe(faceDistance(items[i], items[j]))
      found.add(i < j ? `${i}|${j}` : `${j}|${i}`)
    })
    const truth = new Set<string>()
    for (let i = 0; i < items.length; i++)
      for (let j = i + 1; j < items.length; j++) if (faceDistance(items[i], items[j]) <= t) truth.add(`${i}|${j}`)
    expect(truth.size).toBeGreaterThan(50)
    expect([...found].sort()).toEqual([...truth].sort())
  })

  it('groups exact and near duplicates together (union-find), by the smallest sample id', () => {
    const groups = groupDuplicates(
      [
        { sampleId: 10, pixelKey: 'a', hashes: items[0] },
        { sampleId: 11, pixelKey: 'a', hashes: items[0] },
        { sampleId: 12, pixelKey: 'b', hashes: items[1500] },
        { sampleId: 13, pixelKey: 'c', hashes: items[5] },
        { sampleId: 14, pixelKey: 'd', hashes: null },
        { sampleId: 15, pixelKey: 'd', hashes: null }
      ],
      faceDistance(items[0], items[1500])
    )
    expect(Object.fromEntries(groups)).toEqual({ 10: 10, 11: 10, 12: 10, 14: 14, 15: 14 })
  })
})
