// What a model folder's `model.json` records under `metrics`, built from what the app measured: the
// `pokerface eval --out` JSON of FERPlus test (the classifier) and, where there is one, the JSONs that
// `npm run bench:pokerface -- --keep` leaves (the poker-face check the compare view reads;
// src/shared/models.ts pokerFaceVerdict). Pure: scripts/record-model-metrics.mjs does the file work.

const r3 = (v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : null)

/** The classifier's figures: the eval report without its per-face poker-face section, and how it was made. */
export function classifierMetrics(evalReport, command) {
  const { poker_faces: _left, ...metrics } = evalReport
  return { ...metrics, command }
}

/**
 * `metrics.poker_face_check` from bench:pokerface's FERPlus test and Yale reports. "Separated" is
 * the poker-face issue's bar, the same as pokerFaceVerdict's: the judge calls the expressive faces'
 * poker faces neutral at least 90 % as often as real neutral faces, and 95 % keep the person.
 */
export function pokerFaceCheck(ferplusReport, yaleReport, { modelId, generator }) {
  const f = ferplusReport.poker_faces
  if (!f || f.judges?.skipped) throw new Error(`no judged poker faces in the FERPlus report: ${f?.judges?.skipped ?? 'none'}`)
  const y = yaleReport?.poker_faces?.real_neutral
  if (!y) throw new Error('the Yale report has no real-neutral comparison (bench:pokerface runs it with --neutral-reference)')
  const e = f.expressive.judged
  const n = f.labelled_neutral.judged
  const real = n.judge_calls_input_neutral
  const separated = e.judge_calls_poker_face_neutral >= 0.9 * real && e.poker_faces_same_person >= 0.95
  return {
    command: `npm run bench:pokerface -- --model resources/models/${modelId}`,
    measured_on: 'these graphs',
    generator,
    judges: `${f.judges.expression}; ${f.judges.identity}`,
    data:
      `FERPlus test: ${f.expressive.images.toLocaleString('en')} expressive and ` +
      `${f.labelled_neutral.images.toLocaleString('en')} neutral-labelled faces (majority protocol); ` +
      `Yale faces: ${y.pairs} expressive photos with the same person's neutral photo`,
    judge_neutral_inputs_expressive: r3(e.judge_calls_input_neutral),
    judge_neutral_reconstructions_expressive: r3(e.judge_calls_reconstruction_neutral),
    judge_neutral_poker_faces_expressive: r3(e.judge_calls_poker_face_neutral),
    judge_neutral_real_neutral: r3(real),
    own_classifier_neutral_poker_faces_expressive: r3(f.expressive.neutral_share),
    same_person_threshold: r3(f.judges.same_person_threshold),
    identity_cosine_poker_faces_expressive: r3(e.mean_identity_cosine_poker_face),
    same_person_poker_faces_expressive: r3(e.poker_faces_same_person),
    same_person_poker_faces_neutral: r3(n.poker_faces_same_person),
    l1_poker_face_to_input_neutral: r3(f.labelled_neutral.mean_l1_poker_face_to_input),
    emotion_map_share_eyes_and_brows: r3(e.emotion_map_share_eyes_and_brows),
    emotion_map_share_mouth: r3(e.emotion_map_share_mouth),
    yale_l1_input_to_real_neutral: r3(y.mean_l1_input_to_real_neutral),
    yale_l1_poker_face_to_real_neutral: r3(y.mean_l1_poker_face_to_real_neutral),
    yale_poker_face_closer_to_real_neutral: r3(y.poker_face_closer_by_a_tenth),
    yale_judge_neutral_poker_faces: r3(y.judge_calls_poker_face_neutral),
    yale_judge_neutral_real_neutral: r3(y.judge_calls_real_neutral_neutral),
    // Under FERPlus test's same-person threshold (bench:pokerface gives it to the Yale run): how often
    // the person's real neutral photo passes it against the expressive photo, and the poker face.
    yale_same_person_real_neutral_to_input: r3(y.real_neutral_photos_same_person_as_input),
    yale_same_person_poker_face_to_input: r3(yaleReport.poker_faces.expressive?.judged?.poker_faces_same_person),
    verdict: separated ? 'separation achieved' : 'separation not achieved'
  }
}
