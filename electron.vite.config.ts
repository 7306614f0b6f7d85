import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

const alias = {
  '@shared': resolve(import.meta.dirname, 'src/shared'),
  '@main': resolve(import.meta.dirname, 'src/main'),
  '@renderer': resolve(import.meta.dirname, 'src/renderer/src')
}

export default defineConfig({
  main: {
    resolve: { alias },
    build: {
      // Native modules (better-sqlite3, onnxruntime-node, sharp) stay external: they are
      // loaded from node_modules (app.asar.unpacked when packaged), never bundled.
      externalizeDeps: true,
      rollupOptions: {
        // index: the Electron main process. cli: the same services under plain Node
        // (browser mode, headless commands), so nothing Electron-only may leak into it.
        input: {
          index: resolve(import.meta.dirname, 'src/main/index.ts'),
          cli: resolve(import.meta.dirname, 'src/main/cli/index.ts'),
          // The model runs in this worker thread: onnxruntime's run() blocks its thread.
          inferenceWorker: resolve(import.meta.dirname, 'src/main/inference/worker.ts'),
          // Its outputs become results and PNGs in this one, at the lowest priority.
          postProcessWorker: resolve(import.meta.dirname, 'src/main/inference/postProcessWorker.ts'),
          // The embedding map's UMAP layout, minutes of arithmetic, at the lowest priority too.
          umapWorker: resolve(import.meta.dirname, 'src/main/neighbours/umapWorker.ts')
        }
      }
    }
  },
  preload: {
    resolve: { alias },
    build: {
      rollupOptions: {
        // Sandboxed preloads must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    resolve: { alias },
    plugins: [react()],
    build: {
      rollupOptions: { input: resolve(import.meta.dirname, 'src/renderer/index.html') }
    }
  }
})
