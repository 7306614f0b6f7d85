#!/usr/bin/env node
// Markdown tables for a model card from `pokerface eval --out` JSON files, so the card's figures are
// pasted from what the app measured rather than typed:
//   node scripts/model-card-tables.mjs <metrics.json> [<other-metrics.json> …] [--without contempt,fear]
// The first file gives the per-class table (with the others' per-class accuracy beside it, headed by
// their model id), how often each class is predicted and how often rightly, and the confusion matrix.
// Each file's mean recall is also given over the classes with faces, and without the classes
// --without names (a reference figure that lacks a class, e.g. face-api's on muxspace_fe without contempt).
import { readFileSync } from 'node:fs'
import { option } from './lib.mjs'

const without = (option('--without') ?? '').split(',').filter(Boolean)
const files = process.argv.slice(2).filter((a, i, all) => a !== '--without' && all[i - 1] !== '--without')
if (files.length === 0) {
  console.error('usage: node scripts/model-card-tables.mjs <metrics.json> [<other-metrics.json> …]')
  process.exit(2)
}
const reports = files.map((f) => JSON.parse(readFileSync(f, 'utf8')))
const [main] = reports
const pct = (x) => (x === null || x === undefined ? '–' : `${(100 * x).toFixed(1)} %`)

console.log(`| class | test faces | ${reports.map((r) => r.model ?? `${r.kind} (PyTorch)`).join(' | ')} |`)
console.log(`|---|---:|${reports.map(() => '---:').join('|')}|`)
for (const c of main.classes) {
  console.log(`| ${c} | ${main.class_counts[c]} | ${reports.map((r) => pct(r.per_class_accuracy[c])).join(' | ')} |`)
}
console.log(`| **all** | ${main.samples} | ${reports.map((r) => `**${pct(r.accuracy)}**`).join(' | ')} |`)
/** Mean recall over the classes that have faces in this set, leaving out `skip`. */
const meanRecall = (r, skip) => {
  const kept = r.classes.filter((c) => r.class_counts[c] > 0 && !skip.includes(c))
  return kept.reduce((sum, c) => sum + r.per_class_accuracy[c], 0) / kept.length
}
console.log(`| mean recall, classes with faces | | ${reports.map((r) => pct(meanRecall(r, []))).join(' | ')} |`)
if (without.length)
  console.log(`| … without ${without.join(', ')} | | ${reports.map((r) => pct(meanRecall(r, without))).join(' | ')} |`)
console.log()
const predicted = main.classes.map((_, j) => main.confusion_matrix.reduce((sum, row) => sum + row[j], 0))
console.log(
  `Predictions of ${main.model} by class (right / predicted): ${main.classes
    .map((c, j) => `${c} ${main.confusion_matrix[j][j]}/${predicted[j]}`)
    .join(', ')}`
)
console.log()
console.log(`Confusion matrix of ${main.model} (rows: majority label, columns: prediction):`)
console.log()
console.log(`| | ${main.classes.join(' | ')} |`)
console.log(`|---|${main.classes.map(() => '---:').join('|')}|`)
main.confusion_matrix.forEach((row, i) => console.log(`| **${main.classes[i]}** | ${row.join(' | ')} |`))
