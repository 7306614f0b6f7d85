// Test harness, loaded with `node --require`: kills this process with SIGKILL just before its Nth
// rename into PF_KILL_UNDER, so a test can stop a real write at an exact step, every step in turn.
const fs = require('node:fs')
const path = require('node:path')
const { syncBuiltinESMExports } = require('node:module')

const killAt = Number(process.env.PF_KILL_AT_RENAME)
const under = path.resolve(process.env.PF_KILL_UNDER) + path.sep
let renames = 0
const rename = fs.promises.rename
fs.promises.rename = async function (from, to) {
  if (path.resolve(String(to)).startsWith(under) && ++renames === killAt) process.kill(process.pid, 'SIGKILL')
  return rename.call(this, from, to)
}
syncBuiltinESMExports() // the built CLI is ESM: `import { rename } from 'node:fs/promises'` sees the patch
