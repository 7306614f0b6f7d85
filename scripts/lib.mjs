import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const cliEntry = join(root, 'out', 'main', 'cli.js')

/** Builds main, preload and renderer when the build is missing (or PF_REBUILD=1). */
export function ensureBuilt() {
  if (existsSync(cliEntry) && existsSync(join(root, 'out', 'renderer', 'index.html')) && process.env.PF_REBUILD !== '1') return
  console.log('Building PokerFace Studio…')
  const result = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
    cwd: root,
    stdio: 'inherit'
  })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

/** Runs the `pokerface` command in this process's terminal and exits with its code. */
export function runCli(args) {
  const child = spawn(process.execPath, [cliEntry, ...args], { stdio: 'inherit' })
  const forward = (signal) => child.kill(signal)
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

/**
 * The model the app runs by default: the first built-in folder of resources/models (by name) that
 * holds a model.json, as the registry's listModels + pickModel choose it; null when there is none.
 */
export function defaultBuiltinModel() {
  const dir = join(root, 'resources', 'models')
  const names = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort()
    : []
  const found = names.find((name) => existsSync(join(dir, name, 'model.json')))
  return found ? join(dir, found) : null
}
