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
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY)
    return { reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' }
  return { binary }
}
