import { homedir } from 'node:os'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'

/**
 * True when `candidate` is `root` itself or lies below it. Every path the main side resolves
 * from a sample id or a request goes through this before it touches disk.
 */
export function isPathInside(root: string, candidate: string): boolean {
  const rel = relative(resolve(root), resolve(candidate))
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel))
}

/** Joins a stored '/'-separated relative path onto its root, refusing anything that escapes it. */
export function resolveInside(root: string, relPath: string): string | null {
  const abs = resolve(root, ...relPath.split('/'))
  return isPathInside(root, abs) ? abs : null
}

/**
 * The app's data folder: the database, thumbnail cache and exports. Chosen by --data-dir, then
 * PF_HOME, then the platform's usual place for application data.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.PF_HOME) return resolve(env.PF_HOME)
  const home = homedir()
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'PokerFace Studio')
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'PokerFace Studio')
  return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'pokerface-studio')
}
