#!/usr/bin/env node
// `npm run test:training`: the PyTorch toolkit's own tests (training/tests), with Debian's Python.
// Skips, saying why, where that Python lacks torch/onnx (e.g. a researcher's laptop without them).
import { spawnSync } from 'node:child_process'
import { root } from './lib.mjs'

const python = process.env.PF_PYTHON ?? '/usr/bin/python3'
const probe = spawnSync(python, ['-c', 'import torch, onnx'], { encoding: 'utf8' })
if (probe.error || probe.status !== 0) {
  console.log(
    `test:training skipped: ${python} cannot import torch and onnx (apt-get install -y python3-torch python3-onnx python3-torchvision)`
  )
  process.exit(0)
}
const run = spawnSync(python, ['-m', 'unittest', 'discover', '-s', 'training/tests', '-t', '.'], { cwd: root, stdio: 'inherit' })
process.exit(run.status ?? 1)
