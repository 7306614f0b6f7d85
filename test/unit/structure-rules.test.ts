/**
 * The structure checks in `npm test` (issue #18): each process's tsconfig, the import rules of
 * .dependency-cruiser.cjs and the dead-code check of knip.json. A check that can never fail is
 * worse than none (it reads as a guarantee), so each is run here against code that breaks it,
 * beside code that keeps it, with the project's own configuration files and tools.
 *
 * The probes live in a temporary folder inside node_modules/.cache, not in src/: the tools then
 * find this repository's packages, and nobody else's typecheck or build ever sees a probe.
 * Only the knip probe must sit in src/ (knip judges the real project); it is valid code, removed
 * in a finally block.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..', '..')
let probes: string

beforeAll(async () => {
  await mkdir(join(ROOT, 'node_modules', '.cache'), { recursive: true })
  probes = await mkdtemp(join(ROOT, 'node_modules', '.cache', 'structure-rules-'))
})

afterAll(async () => {
  if (probes) await rm(probes, { recursive: true, force: true })
})

async function writeFiles(base: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(base, path)), { recursive: true })
    await writeFile(join(base, path), text)
  }
}

function run(command: string, args: string[], cwd: string): { code: number | null; output: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules', command), ...args], { cwd, encoding: 'utf8' })
  return { code: result.status, output: `${result.stdout}${result.stderr}` }
}

/**
 * Type-checks probe files with one process's compiler options: a tsconfig that extends the real
 * tsconfig.<process>.json and lists only the probes. Answers the names of the files with errors,
 * each with its messages.
 */
async function typecheckAs(project: string, files: Record<string, string>, extra: string[] = []) {
  const folder = join(probes, `tsc-${project}`)
  await writeFiles(folder, files)
  const config = join(folder, 'tsconfig.json')
  await writeFile(
    config,
    JSON.stringify({
      extends: join(ROOT, `tsconfig.${project}.json`),
      compilerOptions: { tsBuildInfoFile: join(folder, 'probe.tsbuildinfo') },
      files: [...Object.keys(files).map((f) => join(folder, f)), ...extra]
    })
  )
  const { code, output } = run('typescript/bin/tsc', ['-p', config, '--pretty', 'false'], folder)
  const errors: Record<string, string[]> = {}
  for (const line of output.split('\n')) {
    const m = /([^/\\]+\.ts)\(\d+,\d+\): error (TS\d+: .*)$/.exec(line)
    if (m) (errors[m[1]] ??= []).push(m[2])
  }
  return { code, errors, output }
}

describe('each process has its own globals (tsconfig.<process>.json)', () => {
  it('shared code sees neither the DOM nor Node, only what both runtimes have', async () => {
    const { code, errors, output } = await typecheckAs(
      'shared',
      {
        'usesBoth.ts': "export const text: string = new TextDecoder('utf-8').decode(new TextEncoder().encode('ok'))\n",
        'usesDocument.ts': 'export const title: string = document.title\n',
        'usesProcess.ts': 'export const pid: number = process.pid\n'
      },
      [join(ROOT, 'types', 'shared-runtime.d.ts')]
    )
    expect(code, output).not.toBe(0)
    expect(Object.keys(errors).sort(), output).toEqual(['usesDocument.ts', 'usesProcess.ts'])
    expect(errors['usesDocument.ts'].join('\n')).toMatch(/Cannot find name 'document'/)
    expect(errors['usesProcess.ts'].join('\n')).toMatch(/Cannot find name 'process'/)
  })

  it("the renderer sees the DOM but not Node's globals", async () => {
    const { code, errors, output } = await typecheckAs('renderer', {
      'usesDocument.ts': 'export const title: string = document.title\n',
      'usesProcess.ts': 'export const pid: number = process.pid\n',
      'usesBuffer.ts': "export const bytes: number = Buffer.from('x').length\n"
    })
    expect(code, output).not.toBe(0)
    expect(Object.keys(errors).sort(), output).toEqual(['usesBuffer.ts', 'usesProcess.ts'])
  })

  it('main sees Node but not the DOM', async () => {
    const { code, errors, output } = await typecheckAs('main', {
      'usesProcess.ts': 'export const pid: number = process.pid\n',
      'usesDocument.ts': 'export const title: string = document.title\n'
    })
    expect(code, output).not.toBe(0)
    expect(Object.keys(errors), output).toEqual(['usesDocument.ts'])
  })
})

describe('import rules keep the processes apart (.dependency-cruiser.cjs)', () => {
  it('reports every crossing import in a small tree, and none of the allowed ones', async () => {
    const tree = join(probes, 'depcruise')
    await writeFiles(tree, {
      // A stand-in for the electron package, so the rules can tell it from other packages.
      'node_modules/electron/package.json': '{ "name": "electron", "main": "index.js" }\n',
      'node_modules/electron/index.js': 'module.exports = {}\n',
      'src/shared/ok.ts': 'export const ok = 1\n',
      'src/shared/importsRenderer.ts': "import { ok } from '../renderer/src/ok'\nexport const a = ok\n",
      'src/shared/importsNode.ts': "import { join } from 'node:path'\nexport const a = join\n",
      'src/renderer/src/ok.ts': "import { ok } from '@shared/ok'\nexport { ok }\n",
      'src/renderer/src/importsMainByAlias.ts': "import { paths } from '@main/paths'\nexport const a = paths\n",
      'src/renderer/src/importsMainByPath.ts': "import type { Paths } from '../../main/paths'\nexport type A = Paths\n",
      'src/renderer/src/importsNode.ts': "import { readFile } from 'node:fs'\nexport const a = readFile\n",
      'src/renderer/src/importsElectron.ts': "import electron from 'electron'\nexport const a = electron\n",
      'src/preload/ok.ts': "import electron from 'electron'\nimport { ok } from '@shared/ok'\nexport const a = [electron, ok]\n",
      'src/preload/importsMain.ts': "import { paths } from '../main/paths'\nexport const a = paths\n",
      'src/preload/importsNode.ts': "import { join } from 'node:path'\nexport const a = join\n",
      'src/main/paths.ts': 'export const paths = 1\nexport type Paths = number\n',
      'src/main/ok.ts':
        "import { readFile } from 'node:fs'\nimport electron from 'electron'\nimport { ok } from '@shared/ok'\nexport const a = [readFile, electron, ok]\n",
      'src/main/importsRenderer.ts': "import { ok } from '../renderer/src/ok'\nexport const a = ok\n",
      'src/main/importsPreload.ts': "import { a as b } from '../preload/ok'\nexport const a = b\n",
      'src/main/cycleA.ts': "import { b } from './cycleB'\nexport const a = () => b\n",
      'src/main/cycleB.ts': "import { a } from './cycleA'\nexport const b = () => a\n",
      // Zustand's slice pattern: the cycle is closed by a type import only, gone at run time.
      'src/main/store.ts':
        "import { createSlice } from './slice'\nexport type Store = { n: number }\nexport const store = createSlice()\n",
      'src/main/slice.ts': "import type { Store } from './store'\nexport const createSlice = (): Store => ({ n: 1 })\n",
      'src/main/importsNothing.ts': "import { gone } from './doesNotExist'\nexport const a = gone\n",
      'src/main/cli/index.ts': "import { a } from '../ok'\nexport const b = a\n"
    })
    await copyFile(join(ROOT, 'tsconfig.base.json'), join(tree, 'tsconfig.base.json'))

    const { output } = run(
      'dependency-cruiser/bin/dependency-cruise.mjs',
      ['src', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'],
      tree
    )
    const { summary } = JSON.parse(output.slice(output.indexOf('{'))) as {
      summary: { error: number; violations: { rule: { name: string }; from: string }[] }
    }
    expect(summary.error).toBeGreaterThan(0)
    const violations = summary.violations
    const found = [...new Set(violations.map((v) => `${v.rule.name}: ${v.from}`))].sort()
    expect(found).toEqual(
      [
        'cli-reaches-electron: src/main/cli/index.ts',
        'main-imports-page-code: src/main/importsPreload.ts',
        'main-imports-page-code: src/main/importsRenderer.ts',
        'no-circular: src/main/cycleA.ts',
        'not-to-unresolvable: src/main/importsNothing.ts',
        'preload-imports-node-or-packages: src/preload/importsNode.ts',
        'preload-imports-other-process: src/preload/importsMain.ts',
        'renderer-imports-native-or-electron: src/renderer/src/importsElectron.ts',
        'renderer-imports-node: src/renderer/src/importsNode.ts',
        'renderer-imports-other-process: src/renderer/src/importsMainByAlias.ts',
        'renderer-imports-other-process: src/renderer/src/importsMainByPath.ts',
        'shared-imports-node: src/shared/importsNode.ts',
        'shared-imports-outside-shared: src/shared/importsRenderer.ts'
      ].sort()
    )
  })
})

describe('dead code is reported (knip.json)', () => {
  it('a source file that nothing imports fails the check', async () => {
    const probe = join(ROOT, 'src', 'shared', `structureRulesProbe${process.pid}.ts`)
    expect(existsSync(probe)).toBe(false)
    try {
      await writeFile(probe, '// Written and removed by test/unit/structure-rules.test.ts.\nexport const unused = 1\n')
      const { code, output } = run('knip/bin/knip.js', ['--include', 'files', '--no-progress'], ROOT)
      expect(code, output).not.toBe(0)
      expect(output).toContain(`src/shared/structureRulesProbe${process.pid}.ts`)
    } finally {
      await rm(probe, { force: true })
    }
  })
})
