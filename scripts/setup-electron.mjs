#!/usr/bin/env node
// `npm run setup:electron [-- --arch arm64]`: better-sqlite3 built for Electron's ABI, into
// native/electron/, for `npm start` and for installers (npm run dist). The Node build in
// node_modules stays as it is: tests, the CLI and browser mode use it.
//
// Needs the internet once: the prebuilt binary from better-sqlite3's GitHub releases
// (prebuild-install), or else a compile against Electron's headers (node-gyp, needs a C++
// toolchain). Nothing here runs during `npm ci`, which must keep working offline.
import { spawnSync } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, sep } from 'node:path'
import { root } from './lib.mjs'

function option(name) {
  const i = process.argv.findIndex((a) => a === name || a.startsWith(`${name}=`))
  if (i < 0) return null
  const arg = process.argv[i]
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (process.argv[i + 1] ?? null)
}

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'))
const electronDir = join(root, 'node_modules', 'electron')
const sqliteDir = join(root, 'node_modules', 'better-sqlite3')
const outDir = join(root, 'native', 'electron')
const electron = readJson(join(electronDir, 'package.json')).version
const abi = readFileSync(join(electronDir, 'abi_version'), 'utf8').trim()
const betterSqlite3 = readJson(join(sqliteDir, 'package.json')).version
const platform = process.platform
const arch = option('--arch') ?? process.arch

// npm passes its configuration to scripts as npm_config_* variables; .npmrc's nodedir=/usr (Node's
// own headers) must not reach node-gyp here, or it builds for Node again.
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) => !/^npm_config_(nodedir|target|runtime|arch|platform|disturl|dist_url|build_from_source)$/i.test(key)
  )
)

function run(label, args, cwd) {
  console.log(`\n${label}`)
  const result = spawnSync(process.execPath, args, { cwd, env, stdio: 'inherit' })
  return result.status === 0
}

/** npm's own node-gyp: npm tells scripts where it is; otherwise it sits beside npm. */
function nodeGyp() {
  const candidates = [
    env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
  ]
  return candidates.find((c) => c && existsSync(c)) ?? null
}

/** Asks Node to load the binary: it must refuse it, naming Electron's ABI. */
function checkAbi(binary) {
  if (arch !== process.arch) return 'not checked (built for another arch)'
  try {
    process.dlopen({ exports: {} }, binary)
  } catch (err) {
    const m = /NODE_MODULE_VERSION (\d+)/.exec(String(err.message))
    if (m && m[1] === abi) return `ABI ${abi}`
    throw new Error(`the binary does not look like Electron ${electron}'s (ABI ${abi}): ${err.message}`)
  }
  throw new Error('the binary loads in Node.js: it was built for Node, not Electron')
}

console.log(`better-sqlite3 ${betterSqlite3} for Electron ${electron} (ABI ${abi}) on ${platform}-${arch}`)
const work = mkdtempSync(join(tmpdir(), 'pf-electron-sqlite-'))
try {
  // A private copy, so node_modules/better-sqlite3/build (the Node build) is never touched.
  const pkg = join(work, 'better-sqlite3')
  const buildDir = join(sqliteDir, 'build')
  cpSync(sqliteDir, pkg, { recursive: true, filter: (src) => src !== buildDir && !src.startsWith(buildDir + sep) })
  const built = join(pkg, 'build', 'Release', 'better_sqlite3.node')

  const prebuildInstall = createRequire(join(sqliteDir, 'package.json')).resolve('prebuild-install/bin.js')
  let source = 'prebuilt'
  const fetched = run(
    'Fetching the prebuilt binary (prebuild-install)…',
    [prebuildInstall, '--runtime=electron', `--target=${electron}`, `--arch=${arch}`, `--platform=${platform}`, '--verbose'],
    pkg
  )
  if (!fetched || !existsSync(built)) {
    source = 'compiled'
    const gyp = nodeGyp()
    if (!gyp) throw new Error('no prebuilt binary, and node-gyp was not found to compile one (run this through npm run)')
    if (arch !== process.arch) throw new Error(`no prebuilt binary for ${arch}, and node-gyp cannot cross-compile`)
    const compiled = run(
      "Compiling against Electron's headers (node-gyp)…",
      [gyp, 'rebuild', '--release', `--target=${electron}`, `--arch=${arch}`, '--dist-url=https://electronjs.org/headers'],
      pkg
    )
    if (!compiled || !existsSync(built)) throw new Error('both the prebuilt download and the compile failed (see above)')
  }
  const checked = checkAbi(built)

  mkdirSync(outDir, { recursive: true })
  copyFileSync(built, join(outDir, 'better_sqlite3.node'))
  writeFileSync(
    join(outDir, 'manifest.json'),
    JSON.stringify({ electron, abi, platform, arch, betterSqlite3, source, createdAt: new Date().toISOString() }, null, 2) + '\n'
  )
  // A build output for this machine only: never committed.
  writeFileSync(join(outDir, '.gitignore'), '*\n')
  console.log(`\nWrote ${join(outDir, 'better_sqlite3.node')} (${source}, ${checked}).`)
  console.log('`npm start` and `npm run dist` use it; tests and the CLI keep the Node build.')
} catch (err) {
  console.error(`\nsetup:electron failed: ${err.message}`)
  console.error('This step needs the internet once (GitHub for the prebuilt binary, electronjs.org for headers).')
  process.exitCode = 1
} finally {
  rmSync(work, { recursive: true, force: true })
}
