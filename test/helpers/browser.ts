import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'

export const ROOT = join(__dirname, '..', '..')
export const CHROMIUM = process.env.PF_CHROMIUM ?? '/usr/bin/chromium'
export const HAS_CHROMIUM = existsSync(CHROMIUM)
export const NO_CHROMIUM_REASON = `Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set PF_CHROMIUM)`
export const HAS_BUILD =
  existsSync(join(ROOT, 'out', 'main', 'cli.js')) && existsSync(join(ROOT, 'out', 'renderer', 'index.html'))

/** Debian's Chromium, headless, with nothing reaching for the network (see TOOLCHAIN.md). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic'
    ]
  })
}

export interface RunningServer {
  url: string
  process: ChildProcess
  output: () => string
  stop(): Promise<void>
}

/**
 * Built-in models the app under test sees: none, unless a test says otherwise, so the tests do not
 * depend on which trained model the repository ships (resources/models).
 */
export const NO_BUILTIN_MODELS = mkdtempSync(join(process.env.PF_TEST_ROOT ?? tmpdir(), 'pf-no-models-'))
export const testEnv = (): NodeJS.ProcessEnv => ({ ...process.env, PF_MODELS_DIR: NO_BUILTIN_MODELS })

/** Starts the real `pokerface serve` from the build and waits for the URL it prints. */
export function startServe(args: string[]): Promise<RunningServer> {
  const child = spawn(process.execPath, [join(ROOT, 'out', 'main', 'cli.js'), 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: testEnv()
  })
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in time:\n${output}`)), 60_000)
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      const m = /is at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(output)
      if (m) {
        clearTimeout(timer)
        resolve({
          url: m[1],
          process: child,
          output: () => output,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done()
              child.once('exit', () => done())
              child.kill('SIGTERM')
            })
        })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited with ${code}:\n${output}`))
    })
  })
}

/** Where end-to-end tests keep their screenshots, for a person to look at. */
export const SHOTS = join(ROOT, 'test-results', 'e2e')

/**
 * Why a browser end-to-end test cannot run here (missing Chromium, build, or real data), or null.
 * Printed once per file so a skipped suite always says why.
 */
export function e2eSkipReason(name: string, needs: { dataReason?: string | null } = {}): string | null {
  const reason =
    needs.dataReason ?? (!HAS_CHROMIUM ? NO_CHROMIUM_REASON : !HAS_BUILD ? 'no build in out/ (run npm run build)' : null)
  if (reason) console.warn(`[${name}] skipped: ${reason}`)
  return reason
}

/** The grid's sample ids, in grid order (the tiles the virtualised grid has drawn). */
export const gridSampleIds = (page: Page): Promise<number[]> =>
  page.locator('.tile[data-sample-id]').evaluateAll((tiles) => tiles.map((t) => Number(t.getAttribute('data-sample-id'))))

/**
 * A request made as the app makes it, through the page's own API route and token; resolves with
 * the HTTP status and the parsed body, so a test can check either.
 */
export const callFromPage = (page: Page, name: string, args: unknown): Promise<{ status: number; body: { result?: unknown } }> =>
  page.evaluate(
    async ({ name, args }) => {
      const response = await fetch(`/api/call/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-pokerface-token': sessionStorage.getItem('pf_token') ?? '' },
        body: JSON.stringify(args)
      })
      return { status: response.status, body: await response.json() }
    },
    { name, args }
  )
