/**
 * `npm run test:package`: packages the app offline with electron-builder --dir and a stand-in
 * Electron (TOOLCHAIN.md: the real binary cannot be downloaded here), then checks the layout the
 * packaged app relies on: the built app inside app.asar, every native binary and shared library
 * unpacked beside it, only this platform's onnxruntime, the models in <resources>/models, and the
 * fuses flipped. Real electron-builder and the real electron-builder.yml; only the Electron
 * executable is a stand-in.
 */
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { chmod, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { extractFile, listPackage, statFile } from '@electron/asar'
import type { FileIntegrity } from '@electron/asar/lib/integrity'
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { electronSqliteBinding } from '@main/desktop/nativeModules'
import { bundledModelsDir } from '@main/desktop/resources'
import { tempDir } from '../helpers/data'

const ROOT = join(__dirname, '..', '..')
const EXECUTABLE = 'pokerface-studio' // electron-builder.yml executableName
const ARCH = process.arch
/** Files native code opens by path: binaries, shared libraries, and ONNX models (onnxruntime). */
const NATIVE = /\.(node|dll|dylib|so(\.\d+)*|onnx)$/

const skipReason =
  process.platform !== 'linux' ? 'the packaging test runs on Linux (its stand-in Electron is a Linux executable)' : null
if (skipReason) console.warn(`[package] skipped: ${skipReason}`)

/** Fuse sentinel and wire layout of @electron/fuses (V1): sentinel, version 1, length, one byte per fuse. */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
/** Electron's own defaults, so the test sees what electron-builder changes. */
const ELECTRON_DEFAULT_FUSES = '10110001'
/** What electron-builder.yml's electronFuses must produce ('0' off, '1' on). */
const EXPECTED_FUSES: Partial<Record<FuseV1Options, '0' | '1'>> = {
  [FuseV1Options.RunAsNode]: '0',
  [FuseV1Options.EnableCookieEncryption]: '1',
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: '0',
  [FuseV1Options.EnableNodeCliInspectArguments]: '0',
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: '1',
  [FuseV1Options.OnlyLoadAppFromAsar]: '1',
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: '0'
}

async function walk(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return []
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await walk(path)))
    else if (entry.isFile()) out.push(path)
  }
  return out
}

async function sizeOf(dir: string): Promise<number> {
  let total = 0
  for (const f of await walk(dir)) total += (await stat(f)).size
  return total
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
const posix = (p: string) => p.split(sep).join('/')

function run(cmd: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, CI: 'true' } })
    let output = ''
    child.stdout.on('data', (c) => (output += c))
    child.stderr.on('data', (c) => (output += c))
    child.on('close', (code) => resolve({ code, output }))
  })
}

describe.skipIf(skipReason !== null)('packaged app (electron-builder --dir, stand-in Electron)', () => {
  let work: string
  let resources: string
  let asarPath: string
  let unpacked: string
  let entries: string[]
  const figures: string[] = []

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'out', 'main', 'index.js')) || !existsSync(join(ROOT, 'out', 'renderer', 'index.html'))) {
      const built = spawnSync(
        process.execPath,
        [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
        {
          cwd: ROOT,
          encoding: 'utf8'
        }
      )
      if (built.status !== 0) throw new Error(`electron-vite build failed:\n${built.stderr}`)
    }
    work = await tempDir('pf-package-')
    // The stand-in: an executable named `electron` that carries Electron's fuse wire.
    const dist = join(work, 'electron-dist')
    await mkdir(dist)
    const wire = Buffer.from([1, ELECTRON_DEFAULT_FUSES.length, ...Buffer.from(ELECTRON_DEFAULT_FUSES)])
    await writeFile(
      join(dist, 'electron'),
      Buffer.concat([
        Buffer.from(`#!/bin/sh\necho "stand-in Electron for test/package"\nexit 0\n# `),
        Buffer.from(FUSE_SENTINEL),
        wire,
        Buffer.from('\n')
      ])
    )
    await chmod(join(dist, 'electron'), 0o755)

    const started = Date.now()
    const result = await run(process.execPath, [
      join(ROOT, 'node_modules', 'electron-builder', 'cli.js'),
      '--linux',
      `--${ARCH}`,
      '--dir',
      '--publish',
      'never',
      `-c.electronDist=${dist}`,
      '-c.npmRebuild=false',
      `-c.directories.output=${join(work, 'dist')}`
    ])
    if (result.code !== 0) throw new Error(`electron-builder failed (${result.code}):\n${result.output}`)
    figures.push(`electron-builder --dir: ${((Date.now() - started) / 1000).toFixed(1)} s`)

    const appDir = join(work, 'dist', ARCH === 'x64' ? 'linux-unpacked' : `linux-${ARCH}-unpacked`)
    resources = join(appDir, 'resources')
    asarPath = join(resources, 'app.asar')
    unpacked = join(resources, 'app.asar.unpacked')
    entries = listPackage(asarPath, { isPack: false }).map((p) => posix(p).replace(/^\//, ''))
  })

  afterAll(async () => {
    if (resources) {
      figures.push(
        `app.asar ${mb(statSync(asarPath).size)}`,
        `app.asar.unpacked ${mb(await sizeOf(unpacked))}`,
        `resources ${mb(await sizeOf(resources))}`
      )
      console.log(`[package] ${figures.join(' · ')}`)
    }
    if (work) await rm(work, { recursive: true, force: true })
  })

  const isFile = (path: string) => 'size' in statFile(asarPath, path)

  it('packs the whole built app, and nothing from development, into app.asar', async () => {
    const built = (await walk(join(ROOT, 'out'))).map((f) => posix(relative(ROOT, f))).filter((f) => !f.endsWith('.map'))
    const workers = ['out/main/inferenceWorker.js', 'out/main/postProcessWorker.js', 'out/main/umapWorker.js'] // started by path at run time
    expect(built).toEqual(
      expect.arrayContaining(['out/main/index.js', ...workers, 'out/preload/index.cjs', 'out/renderer/index.html'])
    )
    for (const file of built) {
      expect(entries, file).toContain(file)
      expect((statFile(asarPath, file) as { size: number }).size, file).toBe(statSync(join(ROOT, file)).size)
    }
    const pkg = JSON.parse(extractFile(asarPath, 'package.json').toString('utf8'))
    expect(entries).toContain(pkg.main.replace(/^\.\//, ''))
    expect(pkg.dependencies).toBeDefined()

    const topLevel = new Set(entries.map((e) => e.split('/')[0]))
    expect([...topLevel].sort()).toEqual(
      existsSync(join(ROOT, 'native', 'electron'))
        ? ['native', 'node_modules', 'out', 'package.json']
        : ['node_modules', 'out', 'package.json']
    )
    expect(entries.filter((e) => e.endsWith('.map') && e.startsWith('out/'))).toEqual([])
    // Dev tooling never ships: only the dependencies' trees.
    for (const dev of ['electron', 'electron-builder', 'vite', 'vitest', 'react', 'typescript', 'playwright-core']) {
      expect(entries, dev).not.toContain(`node_modules/${dev}`)
    }
  })

  it('keeps every native binary, shared library and ONNX file out of the archive, beside it in app.asar.unpacked', () => {
    const natives = entries.filter((e) => NATIVE.test(e) && isFile(e))
    expect(natives.length).toBeGreaterThan(0)
    for (const e of natives) {
      expect((statFile(asarPath, e) as { unpacked?: boolean }).unpacked, e).toBe(true)
      expect(existsSync(join(unpacked, e)), e).toBe(true)
    }
    const expected: [string, RegExp][] = [
      ['better-sqlite3', /^node_modules\/better-sqlite3\/build\/Release\/better_sqlite3\.node$/],
      [
        'onnxruntime binding',
        new RegExp(`^node_modules/onnxruntime-node/bin/napi-v\\d+/linux/${ARCH}/onnxruntime_binding\\.node$`)
      ],
      ['onnxruntime library', new RegExp(`^node_modules/onnxruntime-node/bin/napi-v\\d+/linux/${ARCH}/libonnxruntime\\.so\\.1$`)],
      [
        'sharp',
        new RegExp(`^node_modules/@img/sharp-(linux|linuxmusl)-${ARCH}/lib/sharp-(linux|linuxmusl)-${ARCH}-[\\d.]+\\.node$`)
      ],
      ['libvips', new RegExp(`^node_modules/@img/sharp-libvips-(linux|linuxmusl)-${ARCH}/lib/libvips-cpp\\.so\\.[\\d.]+$`)]
    ]
    for (const [what, pattern] of expected)
      expect(
        natives.filter((n) => pattern.test(n)),
        what
      ).toHaveLength(1)
    // sharp finds libvips relative to its own binary: the whole @img tree is on disk.
    for (const e of entries.filter((x) => x.startsWith('node_modules/@img/') && isFile(x))) {
      expect(existsSync(join(unpacked, e)), e).toBe(true)
    }
  })

  it('ships the Electron-ABI better-sqlite3 where main loads it, when npm run setup:electron has made one', () => {
    const manifest = join(ROOT, 'native', 'electron', 'manifest.json')
    if (!existsSync(manifest)) {
      console.warn(
        '[package] native/electron/ is empty here (npm run setup:electron needs the internet): only the Node build is packaged'
      )
      expect(entries.some((e) => e.startsWith('native/'))).toBe(false)
      return
    }
    const built = JSON.parse(readFileSync(manifest, 'utf8'))
    const choice = electronSqliteBinding({
      appPath: asarPath,
      electronVersion: built.electron,
      platform: process.platform,
      arch: ARCH,
      readFile: (p) => (existsSync(p) ? readFileSync(p, 'utf8') : null)
    })
    expect(choice.path).toBe(join(unpacked, 'native', 'electron', 'better_sqlite3.node'))
    expect(existsSync(choice.path as string)).toBe(true)
  })

  it('ships only this platform’s onnxruntime binaries', async () => {
    const bin = join(unpacked, 'node_modules', 'onnxruntime-node', 'bin')
    const files = [
      ...(await walk(bin)).map((f) => posix(relative(unpacked, f))),
      ...entries.filter((e) => e.startsWith('node_modules/onnxruntime-node/bin/') && isFile(e))
    ]
    expect(files.length).toBeGreaterThan(0)
    const foreign = files.filter((f) => !new RegExp(`/bin/napi-v\\d+/linux/${ARCH}/`).test(f))
    expect(foreign).toEqual([])
    const size = await sizeOf(bin)
    figures.push(`onnxruntime ${mb(size)}`)
    // The npm package holds every platform (288 MB); one platform is ~45 MB.
    expect(size).toBeLessThan(100 * 1024 * 1024)
  })

  it('puts the models in <resources>/models, the folder the packaged app loads them from', async () => {
    const modelsDir = bundledModelsDir({ isPackaged: true, appPath: asarPath, resourcesPath: resources })
    expect(modelsDir).toBe(join(resources, 'models'))
    const shipped = (await walk(join(ROOT, 'resources', 'models'))).map((f) => relative(join(ROOT, 'resources', 'models'), f))
    if (shipped.length === 0) console.warn('[package] resources/models is empty: no default model is shipped yet')
    for (const f of shipped) {
      expect(existsSync(join(modelsDir, f)), f).toBe(true)
      expect(statSync(join(modelsDir, f)).size, f).toBe(statSync(join(ROOT, 'resources', 'models', f)).size)
    }
    // Models are data beside the archive, never inside it (onnxruntime reads them from disk).
    expect(entries.some((e) => e.startsWith('resources/'))).toBe(false)
  })

  it('E3: ships app.asar for integrity validation: the fuse is on and every archived file carries the hashes Electron checks', async () => {
    const wire = await getCurrentFuseWire(join(resources, '..', EXECUTABLE))
    expect(String.fromCharCode(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation] as number)).toBe('1')
    // With the fuse on, Electron (macOS, Windows) checks the header's hash against the one embedded
    // in Info.plist or the .exe, then each file it reads against the header's own hashes. Those
    // per-file hashes are what this platform can check: a wrong one would stop the app at start-up.
    const files = entries.filter(isFile)
    let checked = 0
    for (const path of files) {
      const entry = statFile(asarPath, path) as { unpacked?: boolean; integrity?: FileIntegrity }
      if (entry.unpacked) continue // on disk beside the archive: covered by code signing, not asar integrity
      expect(entry.integrity, path).toBeDefined()
      const { algorithm, hash, blockSize, blocks } = entry.integrity!
      const body = extractFile(asarPath, path)
      expect(algorithm, path).toBe('SHA256')
      expect(sha256(body), path).toBe(hash)
      const expectedBlocks = Array.from({ length: Math.max(1, Math.ceil(body.length / blockSize)) }, (_, i) =>
        sha256(body.subarray(i * blockSize, (i + 1) * blockSize))
      )
      expect(blocks, path).toEqual(expectedBlocks)
      checked++
    }
    expect(checked).toBeGreaterThan(0)
    figures.push(`asar integrity: ${checked} files verified`)
  })

  it('flips the Electron fuses electron-builder.yml asks for', async () => {
    const wire = await getCurrentFuseWire(join(resources, '..', EXECUTABLE))
    const states = Object.fromEntries(
      Object.entries(EXPECTED_FUSES).map(([fuse]) => [fuse, String.fromCharCode(wire[Number(fuse) as FuseV1Options] as number)])
    )
    expect(states).toEqual(EXPECTED_FUSES)
  })
})
