import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** Where the electron package keeps (or would keep) its binary; mirrors node_modules/electron/index.js. */
function electronBinary(electronDir, env) {
  const pathFile = join(electronDir, 'path.txt')
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8') : null
  if (env.ELECTRON_OVERRIDE_DIST_PATH) return join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron')
  return relative ? join(electronDir, 'dist', relative) : null
}

function noDisplay(env, platform) {
  return platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY
}

/**
 * Finds the Electron binary without fetching anything (tests use this). Returns { binary } or
 * { reason } saying why Electron cannot start here.
 */
export function locateElectron(root, env = process.env, platform = process.platform) {
  const electronDir = join(root, 'node_modules', 'electron')
  if (!existsSync(electronDir)) return { reason: 'the electron package is not installed (run npm ci)' }
  const binary = electronBinary(electronDir, env)
  if (!binary || !existsSync(binary)) {
    return {
      reason:
        'the Electron binary is not installed: it is downloaded on first use, which needs the internet once ' +
        '(npm start does it; or node node_modules/electron/install.js)'
    }
  }
  if (noDisplay(env, platform)) return { reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset; try xvfb-run)' }
  return { binary }
}

/**
 * Finds the Electron binary, fetching it once if the package has not yet (it downloads on first
 * use, which needs the internet). Returns { binary } or { reason } saying why Electron cannot start.
 */
export function findElectron(root, env = process.env, platform = process.platform) {
  const electronDir = join(root, 'node_modules', 'electron')
  if (!existsSync(electronDir)) return { reason: 'the electron package is not installed (run npm ci)' }
  let binary = electronBinary(electronDir, env)
  if (!binary || !existsSync(binary)) {
    console.log('Fetching the Electron binary (first start)…')
    const fetched = spawnSync(process.execPath, [join(electronDir, 'install.js')], { encoding: 'utf8', timeout: 300_000 })
    binary = electronBinary(electronDir, env)
    if (fetched.status !== 0 || !binary || !existsSync(binary)) {
      const why =
        `${fetched.stderr ?? ''}${fetched.stdout ?? ''}`
          .trim()
          .split('\n')
          .find((l) => /error|failed/i.test(l)) ?? 'download failed'
      return {
        reason: `the Electron binary is not installed and could not be downloaded (${why.trim()}); this needs the internet once`
      }
    }
  }
  return locateElectron(root, env, platform)
}

/**
 * Whether native/electron/ holds better-sqlite3 built for this Electron, platform and arch
 * (`npm run setup:electron`); without it the desktop app cannot open its database.
 */
export function electronSqliteReady(root, platform = process.platform, arch = process.arch) {
  const manifestPath = join(root, 'native', 'electron', 'manifest.json')
  if (!existsSync(manifestPath) || !existsSync(join(root, 'native', 'electron', 'better_sqlite3.node'))) return false
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
    const electron = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version
    return manifest.electron === electron && manifest.platform === platform && manifest.arch === arch
  } catch {
    return false
  }
}
