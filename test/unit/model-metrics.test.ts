// scripts/model-metrics.mjs turns what `pokerface eval` and bench:pokerface measured into model.json's
// `metrics`; the compare view's verdict (pokerFaceVerdict) reads the poker-face check it writes.
import { describe, expect, it } from 'vitest'
import { classifierMetrics, pokerFaceCheck } from '../../scripts/model-metrics.mjs'
import { pokerFaceVerdict } from '../../src/shared/models'

function ferplusReport(pokerNeutral: number, samePerson: number): Record<string, unknown> {
  return {
    accuracy: 0.76,
    poker_faces: {
      judges: { expression: 'judge A', identity: 'judge B', same_person_threshold: 0.8554, skipped: null },
      expressive: {
        images: 2054,
        neutral_share: 0.6951,
        judged: {
          judge_calls_input_neutral: 0.0467,
          judge_calls_reconstruction_neutral: 0.0472,
          judge_calls_poker_face_neutral: pokerNeutral,
          mean_identity_cosine_poker_face: 0.8234,
          poker_faces_same_person: samePerson,
          emotion_map_share_eyes_and_brows: 0.0123,
          emotion_map_share_mouth: 0.6149
        }
      },
      labelled_neutral: {
        images: 1083,
        mean_l1_poker_face_to_input: 0.0031,
        judged: { judge_calls_input_neutral: 0.5891, poker_faces_same_person: 0.9456 }
      }
    }
  }
}

const yale = {
  poker_faces: {
    real_neutral: {
      pairs: 44,
      mean_l1_input_to_real_neutral: 0.0889,
      mean_l1_poker_face_to_real_neutral: 0.0961,
      poker_face_closer_by_a_tenth: 0,
      judge_calls_poker_face_neutral: 0.5227,
      judge_calls_real_neutral_neutral: 0.9318,
      real_neutral_photos_same_person_as_input: 0.13636
    },
    expressive: { judged: { poker_faces_same_person: 0.47727 } }
  }
}

describe('model metrics from measured reports', () => {
  it('records the figures the compare view reads, rounded, with the data they came from', () => {
    const check = pokerFaceCheck(ferplusReport(0.3214, 0.4942), yale, { modelId: 'm', generator: 'composition' })
    expect(check).toMatchObject({
      command: 'npm run bench:pokerface -- --model resources/models/m',
      generator: 'composition',
      judge_neutral_poker_faces_expressive: 0.321,
      judge_neutral_real_neutral: 0.589,
      same_person_poker_faces_expressive: 0.494,
      same_person_threshold: 0.855,
      yale_judge_neutral_poker_faces: 0.523,
      yale_same_person_real_neutral_to_input: 0.136,
      yale_same_person_poker_face_to_input: 0.477,
      verdict: 'separation not achieved'
    })
    expect(check.data).toBe(
      "FERPlus test: 2,054 expressive and 1,083 neutral-labelled faces (majority protocol); Yale faces: 44 expressive photos with the same person's neutral photo"
    )
    const verdict = pokerFaceVerdict({ poker_face_check: check })
    expect(verdict.separated).toBe(false)
    expect(verdict.line).toContain('32 % of its poker faces')
    expect(verdict.line).toContain('repainted')
  })

  it('calls it separated exactly where the compare view does', () => {
    for (const [poker, same] of [
      [0.54, 0.96],
      [0.52, 0.96],
      [0.54, 0.94]
    ]) {
      const check = pokerFaceCheck(ferplusReport(poker, same), yale, { modelId: 'm', generator: 'pixels' })
      const separated = pokerFaceVerdict({ poker_face_check: check }).separated
      expect(check.verdict).toBe(separated ? 'separation achieved' : 'separation not achieved')
    }
    expect(pokerFaceCheck(ferplusReport(0.54, 0.96), yale, { modelId: 'm', generator: 'pixels' }).verdict).toBe(
      'separation achieved'
    )
  })

  it('keeps the classifier figures and leaves the per-face poker-face section out', () => {
    const metrics = classifierMetrics(ferplusReport(0.3, 0.5), 'npm run eval')
    expect(metrics).toEqual({ accuracy: 0.76, command: 'npm run eval' })
  })

  it('refuses reports without judged poker faces or a Yale comparison', () => {
    const options = { modelId: 'm', generator: 'pixels' }
    expect(() => pokerFaceCheck({ accuracy: 0.7 }, yale, options)).toThrow(/no judged poker faces/)
    expect(() => pokerFaceCheck(ferplusReport(0.3, 0.5), {}, options)).toThrow(/real-neutral/)
  })
})
