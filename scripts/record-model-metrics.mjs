#!/usr/bin/env node
// Writes what the app measured into a model folder's model.json `metrics`, so the card's figures and
// the compare view's poker-face line come from the measuring commands, not from hand edits:
//   node scripts/record-model-metrics.mjs <model folder> --eval <pokerface eval --out JSON> \
//       [--pokerface <folder bench:pokerface --keep printed>] [--command "<how the eval was run>"] \
//       [--baseline <eval JSON run with --paired-with a baseline: its paired test is recorded too>]
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { option } from './lib.mjs'
import { classifierMetrics, pokerFaceCheck } from './model-metrics.mjs'

const [folder] = process.argv.slice(2)
if (!folder || folder.startsWith('--') || !option('--eval')) {
  console.error(
    'usage: node scripts/record-model-metrics.mjs <model folder> --eval <eval.json> [--pokerface <kept folder>] [--command "…"] [--baseline <eval.json>]'
  )
  process.exit(2)
}
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'))
const cardPath = join(resolve(folder), 'model.json')
const card = readJson(cardPath)
const metrics = classifierMetrics(readJson(option('--eval')), option('--command') ?? `npm run eval -- --model ${folder}`)
const kept = option('--pokerface')
if (kept) {
  metrics.poker_face_check = pokerFaceCheck(readJson(join(kept, 'ferplus-test.json')), readJson(join(kept, 'yale.json')), {
    modelId: card.id,
    generator: card.architecture?.generator_output ?? 'pixels'
  })
}
const baseline = option('--baseline')
if (baseline) metrics.paired_comparison_baseline = readJson(baseline).paired_comparison ?? null
card.metrics = metrics
writeFileSync(`${cardPath}.tmp`, `${JSON.stringify(card, null, 2)}\n`)
renameSync(`${cardPath}.tmp`, cardPath)
console.log(`metrics of ${card.id} recorded in ${cardPath}${kept ? ', with the poker-face check' : ''}`)
