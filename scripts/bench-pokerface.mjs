#!/usr/bin/env node
// `npm run bench:pokerface [-- --model <folder>]`: are the poker faces neutral, and still the same
// person? Measured by networks that no training loss used (../shared/models: face-api's expression
// classifier and MobileFace V1 identity; src/main/evaluation/judges.ts), through the app's own
// pipeline (`pokerface eval`), on two sets:
//   1. FERPlus test, faces labelled with an expression and faces labelled neutral, separately;
//   2. Yale faces (../shared/data/yale_faces): each person's real neutral photo is the truth the
//      poker faces of that person's expressive photos are compared with. The photos are cropped by
//      `pokerface faces` first, as the app does for raw photos.
// Prints each figure beside the target of the poker-face issue. Options: --model <folder> (default:
// the app's default model), --threads N, --keep. Env: PF_DATA_DIR, PF_FACE_NETS_DIR.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { cliEntry, ensureBuilt, option, root } from './lib.mjs'

const dataDir = resolve(process.env.PF_DATA_DIR ?? join(root, '..', 'shared', 'data'))
const netsDir = resolve(process.env.PF_FACE_NETS_DIR ?? join(root, '..', 'shared', 'models'))
for (const [what, path] of [
  ['FERPlus test', join(dataDir, 'ferplus', 'FER2013Test', 'label.csv')],
  ['Yale faces', join(dataDir, 'yale_faces', 'neutral')],
  ['the independent judges', join(netsDir, 'faceapi_expression.onnx')]
]) {
  if (!existsSync(path)) {
    console.log(`bench:pokerface skipped: ${what} not found (${path}; set PF_DATA_DIR / PF_FACE_NETS_DIR)`)
    process.exit(0)
  }
}
ensureBuilt()
const work = mkdtempSync(join(tmpdir(), 'pf-bench-pokerface-'))
const threads = option('--threads', '2')
const model = option('--model') ? ['--model', resolve(option('--model'))] : []

function pokerface(args) {
  const r = spawnSync(process.execPath, [cliEntry, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PF_FACE_NETS_DIR: netsDir },
    maxBuffer: 1 << 26
  })
  if (r.status !== 0) {
    console.error(r.stderr)
    throw new Error(`pokerface ${args[0]} failed (exit ${r.status})`)
  }
  return r
}

function evaluate(folder, name, extra = []) {
  const out = join(work, `${name}.json`)
  const t0 = Date.now()
  pokerface(['eval', folder, ...model, '--data-dir', join(work, `${name}-store`), '--threads', threads, '--out', out, ...extra])
  console.log(`${name}: evaluated in ${((Date.now() - t0) / 1000).toFixed(0)} s`)
  return JSON.parse(readFileSync(out, 'utf8'))
}

const pct = (x) => (x === null || x === undefined ? '   n/a' : `${(100 * x).toFixed(1).padStart(5)} %`)
const num = (x) => (x === null || x === undefined ? '  n/a' : x.toFixed(3))
const row = (label, value, target = '') => console.log(`  ${label.padEnd(58)} ${value.padStart(8)}   ${target}`)

try {
  const ferplus = evaluate(join(dataDir, 'ferplus'), 'ferplus-test', ['--split', 'test'])
  pokerface(['faces', join(dataDir, 'yale_faces'), '--out', join(work, 'yale-faces')])
  const p = ferplus.poker_faces
  if (!p || p.judges.skipped) throw new Error(`no judged poker faces: ${p?.judges?.skipped ?? 'the model does not generate'}`)
  // One bar for both sets, the one the poker-face target is stated with: FERPlus test's. Where FERPlus
  // gave none (too few faces of different people), Yale derives its own and the report says which.
  const threshold = p.judges.same_person_threshold
  const bar = threshold === null || threshold === undefined ? [] : ['--same-person-threshold', String(threshold)]
  const yale = evaluate(join(work, 'yale-faces'), 'yale', ['--split', 'all', '--neutral-reference', ...bar])
  if (bar.length === 0) console.log("FERPlus test gave no same-person threshold; Yale's rows use Yale's own")
  const e = p.expressive.judged
  const n = p.labelled_neutral.judged
  const realNeutralRate = n.judge_calls_input_neutral
  console.log(`\nModel ${ferplus.model}; judges: ${p.judges.expression}; ${p.judges.identity}`)
  console.log(`\nFERPlus test (${p.expressive.images} expressive, ${p.labelled_neutral.images} neutral-labelled faces)`)
  row('judge calls expressive inputs neutral', pct(e.judge_calls_input_neutral))
  row('judge calls their reconstructions neutral', pct(e.judge_calls_reconstruction_neutral), 'stays near the inputs’ rate')
  row(
    'judge calls their poker faces neutral',
    pct(e.judge_calls_poker_face_neutral),
    `≥ ${pct(0.9 * realNeutralRate).trim()} (90 % of real)`
  )
  row('judge calls real neutral-labelled faces neutral', pct(realNeutralRate))
  row('same-person threshold (1 % of different-people pairs above)', num(p.judges.same_person_threshold))
  row('mean identity cosine of different people', num(p.judges.different_people_mean_cosine))
  row('mean identity cosine input ↔ poker face (expressive)', num(e.mean_identity_cosine_poker_face))
  row('mean identity cosine input ↔ reconstruction (expressive)', num(e.mean_identity_cosine_reconstruction))
  row('poker faces above the same-person threshold (expressive)', pct(e.poker_faces_same_person), '≥ 95 %')
  row('poker faces above the same-person threshold (neutral)', pct(n.poker_faces_same_person))
  row('L1 poker face ↔ input on neutral-labelled faces', num(p.labelled_neutral.mean_l1_poker_face_to_input), '≤ 0.020')
  row(
    'emotion map share in eyes and brows (expressive)',
    pct(e.emotion_map_share_eyes_and_brows),
    `uniform ${pct(p.judges.uniform_map_shares.eyes_and_brows).trim()}`
  )
  row(
    'emotion map share in the mouth (expressive)',
    pct(e.emotion_map_share_mouth),
    `uniform ${pct(p.judges.uniform_map_shares.mouth).trim()}`
  )
  row('own classifier calls poker faces neutral (expressive)', pct(p.expressive.neutral_share))
  row('own classifier calls reconstructions neutral (expressive)', pct(p.expressive.reconstruction_neutral_share))
  const y = yale.poker_faces.real_neutral
  console.log(`\nYale faces (${y.pairs} expressive photos, each with the same person's real neutral photo)`)
  row('L1 input ↔ real neutral', num(y.mean_l1_input_to_real_neutral))
  row('L1 poker face ↔ real neutral', num(y.mean_l1_poker_face_to_real_neutral))
  row('poker face closer than the input by a tenth', pct(y.poker_face_closer_by_a_tenth), '≥ 70 %')
  row('identity cosine input ↔ real neutral', num(y.mean_identity_cosine_input_to_real_neutral))
  row('identity cosine poker face ↔ real neutral', num(y.mean_identity_cosine_poker_face_to_real_neutral))
  row(`above FERPlus's same-person threshold: real neutral ↔ input`, pct(y.real_neutral_photos_same_person_as_input))
  row('… poker face ↔ input', pct(yale.poker_faces.expressive.judged?.poker_faces_same_person))
  row('… poker face ↔ real neutral', pct(y.poker_faces_same_person_as_real_neutral))
  row(
    'judge calls poker faces neutral',
    pct(y.judge_calls_poker_face_neutral),
    `≥ ${pct(0.9 * y.judge_calls_real_neutral_neutral).trim()} (90 % of real)`
  )
  row('judge calls the real neutral photos neutral', pct(y.judge_calls_real_neutral_neutral))
  console.log(
    `\nClassifier: FERPlus test ${pct(ferplus.accuracy).trim()}, mean per-class recall ${pct(ferplus.mean_class_recall).trim()}`
  )
} finally {
  if (process.argv.includes('--keep')) console.log(`kept ${work}`)
  else rmSync(work, { recursive: true, force: true })
}
