import { describe, expect, it } from 'vitest'
import { pokerFaceVerdict } from '@shared/models'

describe('the compare view’s poker-face verdict from a model card', () => {
  const check = (poker: number, real: number, identity: number, generator?: string) => ({
    accuracy: 0.75,
    poker_face_check: {
      judge_neutral_poker_faces_expressive: poker,
      judge_neutral_real_neutral: real,
      same_person_poker_faces_expressive: identity,
      generator
    }
  })

  it('says separation failed, with the figures, when the judge is not convinced (v3’s card)', () => {
    const v = pokerFaceVerdict(check(0.318, 0.589, 0.007))
    expect(v.separated).toBe(false)
    expect(v.line).toMatch(/^Separation not achieved/)
    expect(v.line).toContain('32 %')
    expect(v.line).toContain('59 %')
    expect(v.line).toContain('1 % keep')
    expect(v.line).toMatch(/as a reconstruction/)
  })

  it('tells how to read a composing generator’s poker face, which is not a reconstruction', () => {
    expect(pokerFaceVerdict(check(0.3, 0.589, 0.6, 'composition')).line).toMatch(
      /the input with the emotion map’s regions repainted/
    )
    expect(pokerFaceVerdict(check(0.3, 0.589, 0.6)).line).toMatch(/as a reconstruction/)
  })

  it('sets the identity figure beside a real neutral photo’s, where the card measured it', () => {
    const withReal = check(0.32, 0.589, 0.43)
    Object.assign(withReal.poker_face_check, { yale_same_person_real_neutral_to_input: 0.136 })
    expect(pokerFaceVerdict(withReal).line).toContain(
      '43 % keep the person’s identity (a real neutral photo of the same person: 14 %)'
    )
    expect(pokerFaceVerdict(check(0.32, 0.589, 0.43)).line).not.toContain('real neutral photo')
  })

  it('needs both the judge (90 % of the real rate) and the identity (95 %) targets', () => {
    expect(pokerFaceVerdict(check(0.54, 0.6, 0.96)).separated).toBe(true)
    expect(pokerFaceVerdict(check(0.53, 0.6, 0.96)).separated).toBe(false)
    expect(pokerFaceVerdict(check(0.6, 0.6, 0.94)).separated).toBe(false)
  })

  it('calls a card without the check unverified rather than fine', () => {
    expect(pokerFaceVerdict({ accuracy: 0.75 })).toMatchObject({ separated: null, line: expect.stringMatching(/^Not measured/) })
    expect(pokerFaceVerdict(undefined).separated).toBeNull()
  })
})
