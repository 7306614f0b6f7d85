import { existsSync } from 'node:fs'
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { planAlignment, rotatePoint } from '@main/vision/faces/align'
import { decodeDetections, iou, weightedNms, type FaceDetection } from '@main/vision/faces/blazeface'
import { alignedFace } from '@main/vision/faces/crop'
import { FaceDetector } from '@main/vision/faces/detector'
import { extractFaces, faceFileName } from '@main/vision/faces/extract'
import { DATA_DIR, ROOT_TEST_RESULTS, tempDir } from '../helpers/data'

const PHOTOS = join(DATA_DIR, 'photos')
const HAS_PHOTOS = existsSync(join(PHOTOS, 'sample1.jpg'))
if (!HAS_PHOTOS) console.warn(`[faces] real-photo tests skipped: ${PHOTOS} not found (set PF_DATA_DIR)`)

const face = (cx: number, cy: number, w: number, score: number): FaceDetection => ({
  cx,
  cy,
  w,
  h: w,
  score,
  keypoints: Array.from({ length: 6 }, () => ({ x: cx, y: cy }))
})

describe('BlazeFace decoding (pure)', () => {
  it('places an anchor’s box at its cell centre plus the offset, in input-normalised units', () => {
    const scores = [new Float32Array(512).fill(-10), new Float32Array(384).fill(-10)]
    const boxes = [new Float32Array(512 * 16), new Float32Array(384 * 16)]
    const i = (3 * 16 + 5) * 2 + 1 // layer 1: cell (x 5, y 3), second anchor
    scores[0][i] = 5
    boxes[0].set([12.8, -12.8, 25.6, 38.4, 0, 0, 1.28, 0], i * 16)
    const [d] = decodeDetections(scores, boxes, 128, 0.5)
    expect(d.cx).toBeCloseTo(5.5 / 16 + 0.1)
    expect(d.cy).toBeCloseTo(3.5 / 16 - 0.1)
    expect([d.w, d.h]).toEqual([expect.closeTo(0.2), expect.closeTo(0.3)])
    expect(d.keypoints[1]).toEqual({ x: expect.closeTo(5.5 / 16 + 0.01), y: expect.closeTo(3.5 / 16) })
    expect(d.score).toBeCloseTo(1 / (1 + Math.exp(-5)))
    expect(decodeDetections(scores, boxes, 128, 0.999)).toEqual([])
  })

  it('blends overlapping detections of one face and keeps separate faces apart', () => {
    const merged = weightedNms([face(0.5, 0.5, 0.2, 0.9), face(0.52, 0.5, 0.2, 0.6), face(0.1, 0.1, 0.1, 0.8)])
    expect(merged).toHaveLength(2)
    expect(merged[0].cx).toBeCloseTo((0.5 * 0.9 + 0.52 * 0.6) / 1.5)
    expect(merged[0].score).toBe(0.9)
    expect(iou(face(0, 0, 1, 1), face(0, 0, 1, 1))).toBe(1)
  })
})

describe('alignment geometry (pure)', () => {
  it('maps points the way sharp rotates images', async () => {
    // A 40×20 image, black with one white pixel at (30, 5); rotate 90° clockwise with sharp.
    const raw = Buffer.alloc(40 * 20 * 3)
    raw.fill(255, (5 * 40 + 30) * 3, (5 * 40 + 31) * 3)
    const { data, info } = await sharp(raw, { raw: { width: 40, height: 20, channels: 3 } })
      .rotate(90)
      .raw()
      .toBuffer({ resolveWithObject: true })
    const white = data.findIndex((v) => v > 200) / 3
    const expected = rotatePoint({ x: 30.5, y: 5.5 }, 40, 20, 90)
    expect({ x: (white % info.width) + 0.5, y: Math.floor(white / info.width) + 0.5 }).toEqual({
      x: expect.closeTo(expected.x, 0),
      y: expect.closeTo(expected.y, 0)
    })
  })

  it('levels tilted eyes and frames them at the planned place', () => {
    const plan = planAlignment({ x: 100, y: 100 }, { x: 200, y: 200 }, 400, 400, { size: 100, eyeDistance: 0.4, eyeHeight: 0.4 })
    expect(plan.angle).toBeCloseTo(-45)
    const l = rotatePoint({ x: 100, y: 100 }, 400, 400, plan.angle)
    const r = rotatePoint({ x: 200, y: 200 }, 400, 400, plan.angle)
    expect(l.y).toBeCloseTo(r.y)
    expect(plan.side).toBeCloseTo(Math.hypot(100, 100) / 0.4)
    expect((l.y - plan.top) / plan.side).toBeCloseTo(0.4)
    expect(((l.x + r.x) / 2 - plan.left) / plan.side).toBeCloseTo(0.5)
  })
})

describe('cropping a face whose square runs past the photo', () => {
  it('pads with black instead of failing (a face filling a small photo, as in Yale faces)', async () => {
    // A 60 × 40 grey photo with eyes so far apart that the planned square is wider than the photo.
    const photo = { rgb: Buffer.alloc(60 * 40 * 3, 128), width: 60, height: 40 }
    const wide = {
      ...face(30, 20, 50, 0.9),
      keypoints: [{ x: 15, y: 18 }, { x: 45, y: 18 }, ...face(30, 20, 50, 0.9).keypoints.slice(2)]
    }
    const png = await alignedFace(photo, wide, { size: 32, eyeDistance: 0.36, eyeHeight: 0.4 })
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true })
    expect([info.width, info.height]).toEqual([32, 32])
    expect(data[0]).toBe(0) // the padding, top left
    expect(data[(16 * 32 + 16) * info.channels]).toBe(128) // the photo, in the middle
  })
})

describe.skipIf(!HAS_PHOTOS)('faces in real group photos (BlazeFace ONNX from npm)', () => {
  let back: FaceDetector
  let front: FaceDetector
  const shots = join(ROOT_TEST_RESULTS, 'faces')
  beforeAll(async () => {
    back = await FaceDetector.create('back')
    front = await FaceDetector.create('front')
    await mkdir(shots, { recursive: true })
  })
  afterAll(async () => {
    await back?.release()
    await front?.release()
  })

  it('finds several faces in every photo, with eyes above the mouth', async () => {
    for (let n = 1; n <= 6; n++) {
      const photo = await FaceDetector.orient(join(PHOTOS, `sample${n}.jpg`))
      const faces = await back.detect(photo)
      expect(faces.length, `sample${n}.jpg`).toBeGreaterThanOrEqual(2)
      for (const f of faces) {
        const [re, le, , mouth] = f.keypoints
        expect(mouth.y).toBeGreaterThan(Math.max(re.y, le.y))
        expect(re.x).toBeLessThan(le.x) // the subject's right eye is on the image's left
        expect(f.w).toBeGreaterThan(20)
      }
    }
  })

  it('aligns each face so that a second detector finds it upright, eyes level, where planned', async () => {
    const photo = await FaceDetector.orient(join(PHOTOS, 'sample1.jpg'))
    const faces = await back.detect(photo)
    expect(faces.length).toBe(3)
    for (const [k, f] of faces.entries()) {
      const png = await alignedFace(photo, f, { size: 224, eyeDistance: 0.36, eyeHeight: 0.4 })
      await writeFile(join(shots, `sample1-face${k}.png`), png)
      const crop = await FaceDetector.orient(png)
      expect([crop.width, crop.height]).toEqual([224, 224])
      const [again] = await front.detect(crop, { tiles: false, threshold: 0.5 })
      expect(again, `face ${k} not found again in its crop`).toBeDefined()
      const [re, le] = again.keypoints
      const tilt = (Math.atan2(le.y - re.y, le.x - re.x) * 180) / Math.PI
      expect(Math.abs(tilt)).toBeLessThan(8)
      expect((re.y + le.y) / 2 / 224).toBeCloseTo(0.4, 1)
      expect((le.x - re.x) / 224).toBeGreaterThan(0.25)
      expect((le.x - re.x) / 224).toBeLessThan(0.5)
    }
  })
})

describe.skipIf(!HAS_PHOTOS)('a folder of raw photos into a folder of faces', () => {
  it('crops every face into the same subfolders, links each to its photo, and reports bad photos', async () => {
    const photos = await tempDir('pf-photos-')
    await mkdir(join(photos, 'party night'))
    for (const n of [1, 2]) await copyFile(join(PHOTOS, `sample${n}.jpg`), join(photos, 'party night', `sample${n}.jpg`))
    await writeFile(join(photos, 'party night', 'broken.jpg'), 'not a jpeg')
    const out = join(await tempDir('pf-faces-'), 'faces')
    const report = await extractFaces(photos, out)
    expect(report.photos).toBe(3)
    expect(report.faces).toBeGreaterThanOrEqual(5)
    expect(report.skipped).toEqual([{ relPath: 'party night/broken.jpg', reason: expect.stringMatching(/^cannot decode/) }])
    const rows = (await readFile(report.linksFile, 'utf8')).trim().split('\n')
    expect(rows[0]).toBe(
      'face_path,photo_path,face_index,score,box_x,box_y,box_w,box_h,right_eye_x,right_eye_y,left_eye_x,left_eye_y'
    )
    expect(rows).toHaveLength(report.faces + 1)
    expect(rows[1]).toMatch(/^party night\/sample1__face1\.png,party night\/sample1\.jpg,1,0\.\d{3},/)
    const meta = await sharp(join(out, 'party night', 'sample1__face1.png')).metadata()
    expect([meta.width, meta.height]).toEqual([224, 224])
    await expect(extractFaces(photos, join(photos, 'inside'))).rejects.toThrow(/outside the photos folder/)
    expect(faceFileName('a/b.c/photo.jpeg', 3)).toBe('a/b.c/photo__face3.png')
  })
})

describe('face links (pure)', () => {
  it('reads faces.csv back, quoted paths included, and skips what it cannot read', async () => {
    const { parseFaceLinks } = await import('@main/vision/faces/links')
    const links = parseFaceLinks(
      'face_path,photo_path,face_index,score,box_x,box_y,box_w,box_h,right_eye_x,right_eye_y,left_eye_x,left_eye_y\n' +
        'a/p__face2.png,a/p.jpg,2,0.912,10.0,20.0,30.0,30.0,1,2,3,4\n' +
        '"b, c/q__face1.png","b, c/q.jpg",1,0.800,1,2,3,4,5,6,7,8\n' +
        'broken line\n'
    )
    expect(links.get('a/p__face2.png')).toEqual({ photo: 'a/p.jpg', face: 2, score: 0.912, box: [10, 20, 30, 30] })
    expect(links.get('b, c/q__face1.png')?.photo).toBe('b, c/q.jpg')
    expect(links.size).toBe(2)
    expect(parseFaceLinks('something,else\n1,2').size).toBe(0)
  })
})
