import type { ModelInfo } from '@shared/inference'
import type { AppContext } from '../api/context'
import { generatedFaceRgb } from '../media/sheetLayout'
import { meanAbsDifference } from '../review/pokerFaceReport'
import { cosine, toJudgeSize, type Judges } from './judges'
import { sampleFaces, sheetRgb, type EvaluatedSample } from './evaluatedSamples'

/**
 * Is the poker face the same person's real neutral face? Where a dataset has, for each person, a
 * real neutral photo beside the expressive ones (Yale faces: `neutral/subject07_normal.png` and
 * `happiness/subject07_happy.png`), compare each expressive face's poker face with that photo,
 * beside the input itself. A poker face that only smudges the mouth already comes slightly closer,
 * so closeness is reported with the judge's verdict, never alone.
 */

/** Each expressive face paired with the first neutral-labelled face of the same person (people.ts). */
export function neutralPairs<T extends { relPath: string; label: string | null }>(
  samples: T[],
  personOf: (relPath: string) => string,
  neutral = 'neutral'
) {
  const reference = new Map<string, T>()
  for (const s of samples) if (s.label === neutral && !reference.has(personOf(s.relPath))) reference.set(personOf(s.relPath), s)
  return samples
    .filter((s) => s.label !== null && s.label !== neutral && reference.has(personOf(s.relPath)))
    .map((s) => ({ face: s, reference: reference.get(personOf(s.relPath)) as T }))
}

export interface NeutralReferenceRow {
  inputToReference: number
  pokerFaceToReference: number
  inputIdentity: number | null
  pokerFaceIdentity: number | null
  pokerFaceCalledNeutral: boolean | null
  referenceCalledNeutral: boolean | null
}

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null)
const share = (xs: boolean[]): number | null => (xs.length ? xs.filter(Boolean).length / xs.length : null)

/**
 * The figures of the poker-face issue's real-neutral check, from one row per expressive face.
 * `samePersonThreshold` (null without the judges) also asks how often the person's own real neutral
 * photo counts as the same person as the expressive input: the share an honest poker face of that
 * person could be expected to reach, beside the share of poker faces.
 */
export function summariseNeutralReference(rows: NeutralReferenceRow[], samePersonThreshold: number | null = null) {
  const judged = rows.filter((r) => r.pokerFaceCalledNeutral !== null)
  const above = (cosines: number[]) => (samePersonThreshold === null ? null : share(cosines.map((c) => c > samePersonThreshold)))
  return {
    pairs: rows.length,
    mean_l1_input_to_real_neutral: mean(rows.map((r) => r.inputToReference)),
    mean_l1_poker_face_to_real_neutral: mean(rows.map((r) => r.pokerFaceToReference)),
    // Closer than the input by at least a tenth of the input's distance.
    poker_face_closer_by_a_tenth: share(rows.map((r) => r.pokerFaceToReference <= 0.9 * r.inputToReference)),
    mean_identity_cosine_input_to_real_neutral: mean(judged.map((r) => r.inputIdentity as number)),
    mean_identity_cosine_poker_face_to_real_neutral: mean(judged.map((r) => r.pokerFaceIdentity as number)),
    same_person_threshold: samePersonThreshold,
    real_neutral_photos_same_person_as_input: above(judged.map((r) => r.inputIdentity as number)),
    poker_faces_same_person_as_real_neutral: above(judged.map((r) => r.pokerFaceIdentity as number)),
    judge_calls_poker_face_neutral: share(judged.map((r) => r.pokerFaceCalledNeutral as boolean)),
    judge_calls_real_neutral_neutral: share(judged.map((r) => r.referenceCalledNeutral as boolean)),
    pixel_units: 'mean absolute difference over RGB pixels scaled to 0..1, at the model input size'
  }
}

/** One row per expressive face of `samples` (the check's, read once) that has a real neutral photo of the same person. */
export async function neutralReferenceRows(
  ctx: AppContext,
  datasetId: number,
  model: ModelInfo,
  samples: EvaluatedSample[],
  judges: Judges | null,
  personOf: (relPath: string) => string
) {
  const size = model.inputSize
  const faceOf = sampleFaces(ctx, datasetId)
  const rows: NeutralReferenceRow[] = []
  for (const { face, reference } of neutralPairs(samples, personOf)) {
    const sheet = await sheetRgb(ctx, model.id, face.contentHash)
    if (!sheet) continue
    const input = await faceOf(face, size)
    const real = await faceOf(reference, size)
    const poker = generatedFaceRgb(sheet, size, 'poker_face')
    const row: NeutralReferenceRow = {
      inputToReference: meanAbsDifference(input, real),
      pokerFaceToReference: meanAbsDifference(poker, real),
      inputIdentity: null,
      pokerFaceIdentity: null,
      pokerFaceCalledNeutral: null,
      referenceCalledNeutral: null
    }
    if (judges) {
      const faces = await Promise.all([input, poker, real].map((f) => toJudgeSize(f, size)))
      const [ids, verdicts] = [await judges.identity(faces), await judges.expression(faces)]
      Object.assign(row, {
        inputIdentity: cosine(ids[0], ids[2]),
        pokerFaceIdentity: cosine(ids[1], ids[2]),
        pokerFaceCalledNeutral: verdicts[1].calledNeutral,
        referenceCalledNeutral: verdicts[2].calledNeutral
      })
    }
    rows.push(row)
  }
  return rows
}
