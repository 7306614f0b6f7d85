import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * One folder for every temporary folder of a test run (see tempDir in test/helpers/data.ts),
 * removed when the run ends: datasets, databases and caches add up to gigabytes over many runs.
 * Vitest stops its worker processes without an exit event, so the cleanup lives here, in the
 * main process. PF_KEEP_TEST_DIRS=1 keeps the folder for a look after a failure.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'pokerface-tests-'))
  process.env.PF_TEST_ROOT = root
  return () => {
    if (process.env.PF_KEEP_TEST_DIRS) console.log(`test folders kept in ${root}`)
    else rmSync(root, { recursive: true, force: true })
  }
}
