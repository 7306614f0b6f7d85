import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

const alias = {
  '@shared': resolve(import.meta.dirname, 'src/shared'),
  '@main': resolve(import.meta.dirname, 'src/main'),
  '@renderer': resolve(import.meta.dirname, 'src/renderer/src')
}

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/training/**/*.test.ts'],
          // `npm run bench:pipeline` (vitest bench): timings are printed, never asserted.
          benchmark: { include: ['test/bench/**/*.bench.ts'] },
          environment: 'node',
          globalSetup: ['test/setup/tempRoot.ts'],
          // better-sqlite3 and onnxruntime-node are native: child processes, not worker threads.
          pool: 'forks',
          testTimeout: 60_000
        }
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/setup/tempRoot.ts'],
          pool: 'forks',
          // One browser at a time on a 2-core machine.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000
        }
      },
      {
        resolve: { alias },
        test: {
          // electron-builder --dir with a stand-in Electron, then the packaged layout (needs a build).
          name: 'package',
          include: ['test/package/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/setup/tempRoot.ts'],
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000
        }
      },
      {
        resolve: { alias },
        test: {
          // The real desktop app through Playwright's _electron; skips where no Electron binary or display.
          name: 'electron',
          include: ['test/electron/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/setup/tempRoot.ts'],
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000
        }
      }
    ]
  }
})
