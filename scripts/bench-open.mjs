#!/usr/bin/env node
// `npm run bench:open`: how long opening a real dataset takes, cold (every file read and hashed)
// and warm (incremental reopen: unchanged files are only stat'ed), and the duplicate search after a
// first open (the app runs it behind the open, the dataset usable; the command waits for it).
// Prints medians of N runs.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { ensureBuilt, median, root } from './lib.mjs'

const dataDir = resolve(process.env.PF_DATA_DIR ?? join(root, '..', 'shared', 'data'))
const folder = process.argv[2] ?? join(dataDir, 'ferplus')
const runs = Number(process.env.BENCH_RUNS ?? 3)
if (!existsSync(folder)) {
  console.log(`bench:open skipped: ${folder} not found (set PF_DATA_DIR or pass a folder)`)
  process.exit(0)
}
ensureBuilt()

function openOnce(home) {
  const r = spawnSync(process.execPath, [join(root, 'out', 'main', 'cli.js'), 'open', folder, '--json', '--data-dir', home], {
    encoding: 'utf8'
  })
  if (r.status !== 0) throw new Error(r.stderr || r.stdout)
  return JSON.parse(r.stdout.trim().split('\n').at(-1))
}

const cold = []
const search = []
const warm = []
let images = 0
for (let i = 0; i < runs; i++) {
  const home = mkdtempSync(join(tmpdir(), 'pf-bench-open-'))
  try {
    const first = openOnce(home)
    cold.push(first.ms)
    search.push(first.duplicateSearchMs)
    images = first.images
    warm.push(openOnce(home).ms)
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}
console.log(`bench:open ${folder}: ${images} images, ${runs} runs`)
console.log(
  `  cold open (read + hash + store every file): median ${(median(cold) / 1000).toFixed(2)} s  [${cold.map((x) => (x / 1000).toFixed(2)).join(', ')}]`
)
console.log(
  `  duplicate search after it (background):   median ${(median(search) / 1000).toFixed(2)} s  [${search.map((x) => (x / 1000).toFixed(2)).join(', ')}]`
)
console.log(
  `  warm reopen (incremental, nothing changed):  median ${(median(warm) / 1000).toFixed(2)} s  [${warm.map((x) => (x / 1000).toFixed(2)).join(', ')}]`
)
console.log(`  cold throughput: ${Math.round(images / (median(cold) / 1000))} images/s`)
