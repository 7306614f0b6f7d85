#!/usr/bin/env node
// `node scripts/graph-parity.mjs <parity.json> <old classify.onnx> <new classify.onnx>`: proves a
// re-exported graph (training/reexport_onnx.py) computes what the shipped one did. Runs both in
// onnxruntime-node on the exact input tensors of parity.json (real faces) and prints, per output the
// two share, the max abs difference between them, and for the new graph's outputs the max abs
// difference from PyTorch (parity.json). Exits 1 when a shared output moved more than --bound
// (default 1e-5).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const ort = createRequire(import.meta.url)('onnxruntime-node')
const [parityPath, oldPath, newPath] = process.argv.slice(2).filter((a) => !a.startsWith('--'))
if (!newPath) {
  console.error('usage: node scripts/graph-parity.mjs <parity.json> <old classify.onnx> <new classify.onnx> [--bound 1e-5]')
  process.exit(2)
}
const boundAt = process.argv.indexOf('--bound')
const bound = boundAt === -1 ? 1e-5 : Number(process.argv[boundAt + 1])
const parity = JSON.parse(readFileSync(parityPath, 'utf8'))
const image = new ort.Tensor('float32', Float32Array.from(parity.input.data), parity.input.shape)
const run = async (path) => (await ort.InferenceSession.create(path, { intraOpNumThreads: 1 })).run({ image })
const maxAbsDiff = (a, b) => {
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(Number(a[i]) - Number(b[i])))
  return max
}
const [before, after] = [await run(oldPath), await run(newPath)]
let failed = false
console.log(`${parity.images.length} real faces, input ${JSON.stringify(parity.input.shape)}`)
for (const name of Object.keys(after)) {
  const torch = parity.outputs.classify?.[name]
  const vsTorch = torch ? `, vs PyTorch ${maxAbsDiff(after[name].data, torch.data).toExponential(2)}` : ''
  if (!before[name]) {
    console.log(`${name} ${JSON.stringify(after[name].dims)}: new output${vsTorch}`)
    continue
  }
  const diff = maxAbsDiff(before[name].data, after[name].data)
  if (!(diff <= bound)) failed = true
  console.log(`${name} ${JSON.stringify(after[name].dims)}: old vs new max abs diff ${diff.toExponential(2)}${vsTorch}`)
}
process.exit(failed ? 1 : 0)
