#!/usr/bin/env node
// `npm run dist [-- <electron-builder options>]`: installers for this machine's platform
// (Linux: AppImage + deb, Windows: NSIS, macOS: dmg) into dist/. Needs the internet once
// (Electron's zip, and `npm run setup:electron` before it).
//
// Each platform is packaged on its own OS: sharp's libvips (@img/*), the onnxruntime binaries
// kept (electron-builder.yml) and the Electron-ABI better-sqlite3 are this machine's.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { root } from './lib.mjs'

const PLATFORM_FLAGS = { linux: '--linux', win32: '--win', darwin: '--mac' }
const extra = process.argv.slice(2)
const foreign = Object.entries(PLATFORM_FLAGS).find(([p, flag]) => p !== process.platform && extra.includes(flag))
if (foreign) {
  console.error(`Refusing ${foreign[1]} on ${process.platform}: build each platform's installer on that platform.`)
  process.exit(1)
}

const electron = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version
const manifestPath = join(root, 'native', 'electron', 'manifest.json')
const manifest = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : null
const wanted = { electron, platform: process.platform, arch: process.arch }
if (!manifest || Object.entries(wanted).some(([k, v]) => manifest[k] !== v)) {
  console.error(
    `native/electron/ has no better-sqlite3 for Electron ${electron} on ${process.platform}-${process.arch}` +
      (manifest ? ` (it holds one for Electron ${manifest.electron} on ${manifest.platform}-${manifest.arch})` : '') +
      '.\nRun `npm run setup:electron` first: the packaged app cannot open its database without it.'
  )
  process.exit(1)
}

const step = (label, args) => {
  console.log(label)
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}
step('Building…', [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'])
step('Packaging…', [
  join(root, 'node_modules', 'electron-builder', 'cli.js'),
  PLATFORM_FLAGS[process.platform],
  '--publish',
  'never',
  ...extra
])
