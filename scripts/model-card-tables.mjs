#!/usr/bin/env node
// Markdown tables for a model card from `pokerface eval --out` JSON files, so the card's figures are
// pasted from what the app measured rather than typed:
//   node scripts/model-card-tables.mjs <metrics.json> [<other-metrics.json> …]
// The first file gives the per-class table (with the others' per-class accuracy beside it, headed by
// their model id) and the confusion matrix.
import { readFileSync } from 'node:fs'

const files = process.argv.slice(2)
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
console.log()
console.log(`Confusion matrix of ${main.model} (rows: majority label, columns: prediction):`)
console.log()
console.log(`| | ${main.classes.join(' | ')} |`)
console.log(`|---|${main.classes.map(() => '---:').join('|')}|`)
main.confusion_matrix.forEach((row, i) => console.log(`| **${main.classes[i]}** | ${row.join(' | ')} |`))
