#!/usr/bin/env node
// `npm run setup:cuda`: fetch onnxruntime-node's CUDA execution provider (Linux x64, CUDA 12).
// `npm ci` skips this download on purpose (it needs the internet and 300+ MB; see .npmrc), so
// run it once on a GPU machine with internet. Afterwards `--provider auto` (the default) picks
// CUDA, and the app and `pokerface infer` say so; without it they fall back to the CPU and say why.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { root } from './lib.mjs'

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(
    `setup:cuda: onnxruntime-node ships its CUDA provider for linux/x64 only (this is ${process.platform}/${process.arch}).`
  )
  console.log('On Windows, DirectML is bundled; on macOS, CoreML is bundled: nothing to install.')
  process.exit(0)
}
const script = join(root, 'node_modules', 'onnxruntime-node', 'script', 'install.js')
const result = spawnSync(process.execPath, [script, '--onnxruntime-node-install=cuda12'], {
  stdio: 'inherit',
  cwd: join(root, 'node_modules', 'onnxruntime-node')
})
if (result.status !== 0) {
  console.error('setup:cuda failed. It needs the internet, and CUDA 12 with cuDNN 9 on this machine.')
  process.exit(result.status ?? 1)
}
console.log('CUDA provider installed. Check with: npx pokerface infer <folder> --provider cuda')
