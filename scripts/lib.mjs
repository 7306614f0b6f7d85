import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { constants } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const cliEntry = join(root, 'out', 'main', 'cli.js')

/** The middle value (the upper one of an even count): what the benches report. */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
/** The value below which a share `q` of them falls (nearest rank). */
export const percentile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]

/** The value after `--name` on the command line, or `fallback` when the option is absent or last. */
export function option(name, fallback = null) {
  const i = process.argv.indexOf(name)
  return i === -1 ? fallback : (process.argv[i + 1] ?? fallback)
}

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

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP']

/**
 * Runs the `pokerface` command in this process's terminal and ends as it ends: with its exit
 * code, or by the same signal (so a shell sees 130 after Ctrl+C). Signals sent to this wrapper
 * are passed on. The IPC channel is how the command notices this wrapper is gone, even after a
 * kill -9 that no handler here can see (src/main/cli/parentWatch.ts); nothing is sent over it.
 */
export function runCli(args) {
  const child = spawn(process.execPath, [cliEntry, ...args], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] })
  const forward = (signal) => child.kill(signal)
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward)
  child.on('error', (err) => {
    console.error(`pokerface: cannot start ${cliEntry}: ${err.message}`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => {
    if (code !== null) process.exit(code)
    for (const s of FORWARDED_SIGNALS) process.off(s, forward)
    process.kill(process.pid, signal)
    // A signal whose default is not to end a process (none of ours, but to be sure): the usual code.
    setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 100)
  })
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

/**
 * Starts `pokerface serve <args>` for a bench and resolves with the child and the tokened address
 * it prints, or rejects with what it printed when it exits or stays silent for `timeoutMs`.
 */
export function startServe(args, { env = process.env, timeoutMs = 60_000 } = {}) {
  const server = spawn(process.execPath, [cliEntry, 'serve', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const url = new Promise((resolveUrl, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), timeoutMs)
    const onData = (chunk) => {
      out += chunk
      const m = /is at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolveUrl(m[1])
      }
    }
    server.stdout.on('data', onData)
    server.stderr.on('data', onData)
    server.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}`)))
  })
  return { server, url }
}

/**
 * Stops a server startServe started: SIGTERM, then SIGKILL if it has not exited within `graceMs`. A
 * server busy in synchronous work (a request the bench gave up on) cannot run its SIGTERM handler,
 * and was left running after the bench had exited.
 */
export async function stopServe(server, graceMs = 10_000) {
  if (server.exitCode !== null || server.signalCode !== null) return
  const exited = new Promise((resolveExit) => server.once('exit', resolveExit))
  server.kill('SIGTERM')
  let timer
  const late = new Promise((resolveLate) => (timer = setTimeout(() => resolveLate('late'), graceMs)))
  if ((await Promise.race([exited, late])) === 'late') server.kill('SIGKILL')
  clearTimeout(timer)
}

export const SYNTHETIC_MODEL_ID = 'synthetic-timing-only'
export const SYNTHETIC_CLASSES = ['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear', 'contempt']

/**
 * A model folder that passes the manifest check but is not a model, for benches that write random
 * predictions straight into a store: the ranking needs its classes, nothing ever runs it.
 */
export function writeSyntheticModel(modelsDir, usedBy) {
  const dir = join(modelsDir, SYNTHETIC_MODEL_ID)
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'model.json'),
    JSON.stringify({
      id: SYNTHETIC_MODEL_ID,
      name: 'SYNTHETIC scores for timing only',
      version: '0',
      classes: SYNTHETIC_CLASSES,
      input: { size: 32, channels: 3, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], layout: 'NCHW' },
      files: { classify: 'NOT-A-MODEL.onnx', generate: null },
      training: { data: `nothing: random numbers for ${usedBy} timings` }
    })
  )
  writeFileSync(join(dir, 'NOT-A-MODEL.onnx'), '')
}
