// What bench:odd and bench:odd-injected share: the app's odd-image score (src/main/review/oddness.ts)
// and AUROC (src/main/review/metrics.ts), transpiled on the fly so the benches measure the app's own
// code, and a bootstrap interval around that AUROC.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { root } from './lib.mjs'

const require = createRequire(import.meta.url)

/**
 * One of the app's own modules (a file without imports under src/main), transpiled on the fly so the
 * benches measure the app's code rather than a copy of it.
 */
async function appModule(...path) {
  const ts = require('typescript')
  const work = mkdtempSync(join(tmpdir(), 'pf-bench-odd-'))
  try {
    const js = ts.transpileModule(readFileSync(join(root, 'src', 'main', ...path), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 }
    }).outputText
    writeFileSync(join(work, 'module.mjs'), js)
    return await import(pathToFileURL(join(work, 'module.mjs')).href)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/** src/main/review/oddness.ts: its functions, the weight, the norm's scale and the queue's cut. */
export const loadOddness = () => appModule('review', 'oddness.ts')

/** src/main/vision/contrast.ts: a thumbnail's contrast beyond a plane, what the score's flatness reads. */
export const loadContrast = () => appModule('vision', 'contrast.ts')

/** AUROC by ranks, ties averaged (the chance a positive outscores a negative): the app's, as bench:noise uses it. */
export const { auroc } = await appModule('review', 'metrics.ts')

/**
 * 1 − mean cosine similarity to the neighbours that exist (id ≥ 0); null when there are none. The
 * odd-image score's first version used it; the benches still print it beside the score's parts.
 */
export function isolation(neighbours, similarities) {
  let sum = 0
  let n = 0
  for (let i = 0; i < neighbours.length; i++) {
    if (neighbours[i] < 0 || !Number.isFinite(similarities[i])) continue
    sum += similarities[i]
    n++
  }
  return n === 0 ? null : 1 - sum / n
}

/** A BLOB of little-endian int32 / float32 (a stored list) as an aligned typed array. */
export const int32Blob = (b) => new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))
export const float32Blob = (b) => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))

/** mulberry32: a seeded 32-bit generator (integer maths, so it stays uniform; a float LCG does not). */
export function seededRandom(seed = 12345) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** "0.812 [0.771, 0.850]": AUROC and its 95 % interval from `boots` bootstrap resamples of the images. */
export function aurocWithInterval(scores, labels, boots, rand = seededRandom()) {
  const point = auroc(scores, labels)
  const values = []
  for (let b = 0; b < boots; b++) {
    const s = []
    const l = []
    for (let i = 0; i < scores.length; i++) {
      const j = Math.floor(rand() * scores.length)
      s.push(scores[j])
      l.push(labels[j])
    }
    const a = auroc(s, l)
    if (Number.isFinite(a)) values.push(a)
  }
  values.sort((a, b) => a - b)
  const q = (p) => values[Math.floor(p * (values.length - 1))]
  return `${point.toFixed(3)} [${q(0.025).toFixed(3)}, ${q(0.975).toFixed(3)}]`
}
