import { join } from 'node:path'
import { unpackedPath } from './resources'

/**
 * better-sqlite3 under Electron. The copy in node_modules is compiled for Node's ABI (tests, the
 * CLI, browser mode); Electron needs one compiled for its own ABI, which `npm run setup:electron`
 * puts in native/electron/ with a manifest saying what it was built for. Main passes it to
 * better-sqlite3's `nativeBinding` option. Without it (or when it was built for another Electron),
 * the node_modules copy is tried, which works only if it was rebuilt for Electron in place.
 */
export const ELECTRON_NATIVE_DIR = join('native', 'electron')
export const SQLITE_BINARY = 'better_sqlite3.node'
export const NATIVE_MANIFEST = 'manifest.json'

export interface NativeManifest {
  electron: string
  abi: string
  platform: string
  arch: string
  betterSqlite3: string
}

export interface BindingQuery {
  appPath: string
  electronVersion: string
  platform: string
  arch: string
  readFile: (path: string) => string | null
}

export interface BindingChoice {
  /** The binary to pass as nativeBinding, or null for better-sqlite3's own lookup. */
  path: string | null
  /** Why the Electron build was not used, when one is there but does not fit. */
  warning: string | null
}

export function electronSqliteBinding(q: BindingQuery): BindingChoice {
  const dir = unpackedPath(join(q.appPath, ELECTRON_NATIVE_DIR))
  const raw = q.readFile(join(dir, NATIVE_MANIFEST))
  if (raw === null) return { path: null, warning: null }
  let manifest: Partial<NativeManifest>
  try {
    manifest = JSON.parse(raw)
  } catch {
    return { path: null, warning: `${join(dir, NATIVE_MANIFEST)} is not valid JSON; run npm run setup:electron again` }
  }
  const wanted = `Electron ${q.electronVersion} on ${q.platform}-${q.arch}`
  const built = `Electron ${manifest.electron} on ${manifest.platform}-${manifest.arch}`
  if (manifest.electron !== q.electronVersion || manifest.platform !== q.platform || manifest.arch !== q.arch) {
    return { path: null, warning: `${dir} holds better-sqlite3 for ${built}, not ${wanted}; run npm run setup:electron again` }
  }
  return { path: join(dir, SQLITE_BINARY), warning: null }
}

/** A startup error in words a user can act on; native-module ABI mismatches name the fix. */
export function explainStartupError(err: unknown): string {
  const text = String((err as Error)?.stack ?? err)
  if (
    /NODE_MODULE_VERSION|was compiled against a different Node\.js version|invalid ELF header|not a valid Win32 application/.test(
      text
    )
  ) {
    return (
      'A native module (better-sqlite3) was built for Node.js, not for Electron.\n' +
      'Run `npm run setup:electron` once on a machine with internet, then start again; ' +
      'or use `npm run serve` to work in the browser meanwhile.\n\n' +
      text
    )
  }
  return text
}
