#!/usr/bin/env node
// `npm run bench:neighbours [-- --sizes 35000,1000000 --dim 192 --queries 15]`: how long "more like
// this" takes with the app's exact search (src/main/neighbours: every vector compared in
// onnxruntime), one query at a time, at FERPlus's size and at a synthetic million (targets: 50 ms and
// 200 ms), plus the one-off work per dataset: building the index, every face's 10 neighbours (what
// the neighbour label score reads; 35k only unless --all-pairs-max is raised) and the PCA map. Vectors
// are synthetic (clusters with noise, the width of the shipped model's embedding): the time of an
// exact search does not depend on the values. Prints medians; nothing is asserted.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { median, root } from './lib.mjs'

const require = createRequire(import.meta.url)
const option = (name, fallback) => {
  const i = process.argv.indexOf(name)
  return i === -1 ? fallback : process.argv[i + 1]
}
const sizes = option('--sizes', '35000,1000000').split(',').map(Number)
const dim = Number(option('--dim', 192))
const queries = Number(option('--queries', 15))
const allPairsMax = Number(option('--all-pairs-max', 40000))

// The app's own modules, transpiled on the fly (as bench:noise does with the metrics), so the bench
// measures the code the app runs.
const ts = require('typescript')
const work = mkdtempSync(join(tmpdir(), 'pf-bench-neighbours-'))
for (const name of ['similarityGraph', 'search', 'lists', 'pca']) {
  const source = readFileSync(join(root, 'src', 'main', 'neighbours', `${name}.ts`), 'utf8')
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 }
  }).outputText
  writeFileSync(
    join(work, `${name}.mjs`),
    js
      .replace(/from '\.\/(\w+)'/g, "from './$1.mjs'")
      .replace(/from 'onnxruntime-node'/, `from '${pathToFileURL(require.resolve('onnxruntime-node')).href}'`)
  )
}
const { NeighbourIndex } = await import(pathToFileURL(join(work, 'search.mjs')).href)
const { allNeighbours } = await import(pathToFileURL(join(work, 'lists.mjs')).href)
const { pca2d } = await import(pathToFileURL(join(work, 'pca.mjs')).href)

/** Seeded: 64 cluster centres, each vector a centre plus noise. */
function synthetic(n) {
  let s = 17
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1
  const centres = Float32Array.from({ length: 64 * dim }, rand)
  const out = new Float32Array(n * dim)
  for (let i = 0; i < n; i++) {
    const c = (i * 2654435761) % 64
    for (let j = 0; j < dim; j++) out[i * dim + j] = centres[c * dim + j] + 0.5 * rand()
  }
  return out
}

console.log(
  `bench:neighbours: exact cosine search in onnxruntime-node, ${dim}-d vectors, ${availableParallelism()} CPUs, load ${loadavg()[0].toFixed(1)}`
)
for (const n of sizes) {
  const vectors = synthetic(n)
  const started = performance.now()
  const index = new NeighbourIndex(vectors, dim)
  const buildMs = performance.now() - started
  await index.search(vectors.subarray(0, dim), 25) // warm-up: the session is created once per process
  const times = []
  for (let q = 0; q < queries; q++) {
    const row = ((q + 1) * 7919) % n
    const t = performance.now()
    await index.search(vectors.subarray(row * dim, (row + 1) * dim), 25)
    times.push(performance.now() - t)
  }
  const target = n <= 50_000 ? 50 : 200
  const m = median(times)
  console.log(
    `  N=${n.toLocaleString('en')}: one query (k=25) median ${m.toFixed(1)} ms over ${queries} (target < ${target} ms: ${m < target ? 'met' : 'MISSED'}); index built in ${buildMs.toFixed(0)} ms`
  )
  if (n <= allPairsMax) {
    const t = performance.now()
    await allNeighbours(
      index,
      Int32Array.from({ length: n }, (_, i) => i),
      10
    )
    const p = performance.now()
    pca2d(vectors, dim)
    console.log(
      `    every face's 10 neighbours: ${((p - t) / 1000).toFixed(1)} s; PCA map: ${((performance.now() - p) / 1000).toFixed(1)} s`
    )
  }
}
rmSync(work, { recursive: true, force: true })
