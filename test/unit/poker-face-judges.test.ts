import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { cosine, greyForIdentity, judgesMissing, loadJudges, toJudgeSize } from '../../src/main/evaluation/judges'
import {
  ALL_PAIRS_UP_TO,
  differenceMap,
  differentPeoplePairs,
  FACE_REGIONS,
  regionShares,
  samePersonThreshold,
  uniformShares
} from '../../src/main/evaluation/pokerFaceMeasures'
import { neutralPairs, summariseNeutralReference } from '../../src/main/evaluation/neutralReference'
import { peopleByFileName } from '../../src/main/evaluation/people'
import { summarisePokerFaces } from '../../src/main/review/pokerFaceReport'
import { FERPLUS_DIR, HAS_FERPLUS, NO_FERPLUS_REASON } from '../helpers/data'

describe('where the emotion map puts its mass', () => {
  const size = 50
  it('counts a map lit only inside the mouth box as all mouth, and a uniform map as the boxes’ area', () => {
    const map = new Float32Array(size * size)
    const { x0, x1, y0, y1 } = FACE_REGIONS.mouth
    map[Math.floor(((y0 + y1) / 2) * size) * size + Math.floor(((x0 + x1) / 2) * size)] = 5
    expect(regionShares(map, size)).toEqual({ eyes_and_brows: 0, mouth: 1 })
    const uniform = uniformShares(size)
    const area = (r: { x0: number; x1: number; y0: number; y1: number }) => (r.x1 - r.x0) * (r.y1 - r.y0)
    expect(uniform.eyes_and_brows).toBeCloseTo(area(FACE_REGIONS.eyes_and_brows), 1)
    expect(uniform.mouth).toBeCloseTo(area(FACE_REGIONS.mouth), 1)
    expect(regionShares(new Float32Array(size * size), size)).toBeNull()
  })

  it('builds the map from the per-pixel RGB difference', () => {
    expect(Array.from(differenceMap([0, 0, 0, 9, 9, 9], [3, 3, 3, 9, 9, 0], 1).slice(0, 1))).toEqual([3])
  })
})

describe('same-person threshold from pairs of different people', () => {
  it('is the cosine that only 1 % of different-people pairs exceed', () => {
    const cosines = Array.from({ length: 100 }, (_, i) => i / 100)
    expect(samePersonThreshold(cosines)).toBe(0.99)
    expect(samePersonThreshold(cosines, 0.1)).toBe(0.9)
    expect(samePersonThreshold([])).toBeNull()
  })

  it('uses every pair of a small set, and pairs item i with item i + n/2 in a large one', () => {
    expect(differentPeoplePairs([1, 2, 3], (a, b) => a * 10 + b)).toEqual([12, 13, 23])
    const large = Array.from({ length: ALL_PAIRS_UP_TO + 2 }, (_, i) => i)
    const pairs = differentPeoplePairs(large, (a, b) => b - a)
    expect(pairs).toHaveLength(large.length / 2)
    expect(new Set(pairs)).toEqual(new Set([large.length / 2]))
  })

  it('leaves out a pair of one person’s two photos where the file names say who is who', () => {
    const paths = [
      'happiness/subject01_happy.png',
      'happiness/subject02_happy.png',
      'neutral/subject01_normal.png',
      'neutral/subject03_normal.png'
    ]
    const people = paths.map(peopleByFileName(paths))
    expect(people).toEqual(['subject01', 'subject02', 'subject01', 'subject03'])
    expect(differentPeoplePairs([1, 2, 3, 4], (a, b) => a * 10 + b, people)).toEqual([12, 14, 23, 24, 34])
  })
})

describe('poker faces against the same person’s real neutral photo', () => {
  const row = (inputIdentity: number, pokerFaceIdentity: number, pokerFaceToReference: number) => ({
    inputToReference: 0.1,
    pokerFaceToReference,
    inputIdentity,
    pokerFaceIdentity,
    pokerFaceCalledNeutral: true,
    referenceCalledNeutral: true
  })
  it('pairs each expressive face with its person’s first neutral photo, and skips people without one', () => {
    const samples = [
      { relPath: 'neutral/subject01_normal.png', label: 'neutral' },
      { relPath: 'happiness/subject01_happy.png', label: 'happiness' },
      { relPath: 'happiness/subject02_happy.png', label: 'happiness' },
      { relPath: 'sadness/subject01_sad.png', label: null }
    ]
    expect(
      neutralPairs(samples, peopleByFileName(samples.map((s) => s.relPath))).map((p) => [p.face.relPath, p.reference.relPath])
    ).toEqual([['happiness/subject01_happy.png', 'neutral/subject01_normal.png']])
  })

  it('says how often the real neutral photo and the poker face pass the same-person bar', () => {
    const rows = [row(0.9, 0.95, 0.05), row(0.6, 0.85, 0.1), row(0.7, 0.5, 0.2), row(0.95, 0.3, 0.08)]
    expect(summariseNeutralReference(rows, 0.8)).toMatchObject({
      pairs: 4,
      same_person_threshold: 0.8,
      real_neutral_photos_same_person_as_input: 0.5,
      poker_faces_same_person_as_real_neutral: 0.5,
      poker_face_closer_by_a_tenth: 0.5
    })
    expect(summariseNeutralReference(rows).real_neutral_photos_same_person_as_input).toBeNull()
  })
})

describe('poker-face summary with the judges’ verdicts', () => {
  const judged = (pokerFaceNeutral: boolean, pokerFaceIdentity: number) => ({
    inputNeutral: false,
    pokerFaceNeutral,
    reconstructionNeutral: false,
    pokerFaceIdentity,
    reconstructionIdentity: 0.9,
    emotionMap: { eyes_and_brows: 0.5, mouth: 0.25 }
  })
  it('reports the judge’s neutral rates, identity and the share above the threshold, per group', () => {
    const base = { pokerFaceClass: 0, reconstructionClass: 1, pokerFaceToInput: 0.1, reconstructionToInput: 0.05 }
    const summary = summarisePokerFaces(
      [
        { ...base, label: 1, judged: judged(true, 0.8) },
        { ...base, label: 2, judged: judged(false, 0.4) },
        { ...base, label: 0, judged: judged(true, 0.95) }
      ],
      0,
      0.5
    )
    expect(summary.expressive.judged).toMatchObject({
      judge_calls_input_neutral: 0,
      judge_calls_poker_face_neutral: 0.5,
      poker_faces_same_person: 0.5,
      mean_identity_cosine_poker_face: 0.6,
      emotion_map_share_mouth: 0.25
    })
    expect(summary.labelled_neutral.judged?.poker_faces_same_person).toBe(1)
    expect(summarisePokerFaces([{ ...base, label: 1 }], 0).expressive.judged).toBeUndefined()
  })
})

describe('grey input of the identity network', () => {
  it('keeps a flat grey face flat and turns colour into Rec. 601 luma', () => {
    const rgb = new Uint8Array(112 * 112 * 3).fill(100)
    expect(new Set(greyForIdentity(rgb))).toEqual(new Set([100]))
    const red = new Uint8Array(112 * 112 * 3).map((_, i) => (i % 3 === 0 ? 200 : 0))
    expect(greyForIdentity(red)[0]).toBeCloseTo(0.299 * 200, 3)
  })
})

// The real judges on real faces: they must tell clearly neutral from clearly happy FERPlus test faces,
// and one person from another. Needs ../shared/models and ../shared/data.
const missing = judgesMissing() ?? (HAS_FERPLUS ? null : NO_FERPLUS_REASON)
describe.skipIf(missing !== null)(`the independent judges on real faces${missing ? ` (skipped: ${missing})` : ''}`, () => {
  async function faces(emotion: number, count: number): Promise<Uint8Array[]> {
    const rows = readFileSync(join(FERPLUS_DIR, 'FER2013Test', 'label.csv'), 'utf8')
      .trim()
      .split('\n')
    const names = rows
      .map((r) => /^([^,]+),"[^"]*",(.*)$/.exec(r.trim()))
      .filter((m): m is RegExpExecArray => m !== null && Number(m[2].split(',')[emotion]) >= 9)
      .slice(0, count)
      .map((m) => m[1])
    return Promise.all(
      names.map(async (n) => {
        const rgb = await sharp(join(FERPLUS_DIR, 'FER2013Test', n))
          .removeAlpha()
          .toColourspace('srgb')
          .resize(112, 112)
          .raw()
          .toBuffer()
        return toJudgeSize(new Uint8Array(rgb), 112)
      })
    )
  }

  it('calls most unanimous-neutral faces neutral and almost no unanimous-happy ones', async () => {
    const judges = await loadJudges(undefined, 1)
    try {
      const neutral = await judges.expression(await faces(0, 20))
      const happy = await judges.expression(await faces(1, 20))
      expect(neutral.filter((v) => v.calledNeutral).length).toBeGreaterThanOrEqual(10)
      expect(happy.filter((v) => v.calledNeutral).length).toBeLessThanOrEqual(2)
      const ids = await judges.identity(await faces(1, 10))
      expect(cosine(ids[0], ids[0])).toBeCloseTo(1, 5)
      const others = ids.slice(1).map((e) => cosine(ids[0], e))
      expect(Math.max(...others)).toBeLessThan(0.9)
    } finally {
      await judges.release()
    }
  })
})
