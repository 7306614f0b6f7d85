#!/usr/bin/env node
// `npm start`: the Electron app where Electron can start; otherwise browser mode, saying why.
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { ensureBuilt, root, runCli } from './lib.mjs'
import { electronSqliteReady, findElectron } from './electron-check.mjs'

ensureBuilt()
const args = process.argv.slice(2)
const electron = findElectron(root)
let reason = electron.reason
if (!reason && !electronSqliteReady(root)) {
  // Like the Electron binary itself, fetched (or compiled) once, on the first start with internet.
  console.log('Getting better-sqlite3 for Electron (first start)…')
  spawnSync(process.execPath, [join(root, 'scripts', 'setup-electron.mjs')], { stdio: 'inherit' })
  if (!electronSqliteReady(root)) {
    reason = 'better-sqlite3 for Electron is missing and could not be fetched (npm run setup:electron needs the internet once)'
  }
}
if (reason) {
  console.log(`Electron cannot start here: ${reason}.`)
  console.log('Serving browser mode instead.')
  runCli(['serve', ...args])
} else {
  const child = spawn(electron.binary, [root, ...args], { stdio: 'inherit' })
  child.on('exit', (code) => process.exit(code ?? 0))
}
