#!/usr/bin/env node
// `npm start`: the Electron app where Electron can start; otherwise browser mode, saying why.
import { spawn } from 'node:child_process'
import { ensureBuilt, root, runCli } from './lib.mjs'
import { findElectron } from './electron-check.mjs'

ensureBuilt()
const args = process.argv.slice(2)
const electron = findElectron(root)
if (electron.reason) {
  console.log(`Electron cannot start here: ${electron.reason}.`)
  console.log('Serving browser mode instead.')
  runCli(['serve', ...args])
} else {
  const child = spawn(electron.binary, [root, ...args], { stdio: 'inherit' })
  child.on('exit', (code) => process.exit(code ?? 0))
}
