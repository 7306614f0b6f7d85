/**
 * `pokerface` — the app's services under plain Node, for browser mode and servers without a
 * display. Nothing here may import Electron.
 */
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { ApiHandlers } from '@shared/api'
import { fileURLToPath } from 'node:url'
import { closeContext, createContext, type AppContext } from '../api/context'
import { behindEdge } from '../api/edge'
import { createApiHandlers } from '../api/service'
import { defaultDataDir } from '../paths'
import { startBrowserServer } from '../server/http'
import { staticDirNextTo } from '../server/static'
import { EXIT, parseCliArgs, USAGE, type CliArgs } from './args'
import { evaluate } from './evaluate'
import { exportLabels } from './exportLabels'
import { faces } from './faces'
import { infer } from './infer'
import { shardWorkDir } from './inferShard'
import { merge } from './merge'
import { openWithProgress } from './open'
import { stopWhenParentDies } from './parentWatch'
import { version } from '../../../package.json'

const here = dirname(fileURLToPath(import.meta.url))

async function serve(ctx: AppContext, folder: string | null, port: number): Promise<void> {
  const handlers = createApiHandlers(ctx)
  // The page shows the duplicate search's progress; the server need not wait for it.
  if (folder) ctx.startupDatasetId = (await openWithProgress(ctx, handlers, folder, false, { waitForDuplicates: false })).id
  const server = await startBrowserServer(ctx, handlers, { port, staticDir: staticDirNextTo(here) })
  console.log(`PokerFace Studio (browser mode) is at ${server.url}`)
  console.log(`Data folder: ${ctx.dataDir}`)
  const shutdown = (): void => {
    for (const job of ctx.jobs.values()) job.cancel()
    void server
      .close()
      .then(() => closeContext(ctx))
      .then(() => process.exit(0))
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
}

async function main(): Promise<number> {
  stopWhenParentDies()
  const args = parseCliArgs(process.argv.slice(2))
  if (args.errors.length) {
    console.error(args.errors.join('\n') + '\n\n' + USAGE)
    return EXIT.usage
  }
  if (args.command === 'help') {
    console.log(USAGE)
    return EXIT.ok
  }
  // A cluster task runs in a store of its own (cli/inferShard.ts), removed once its file is written.
  const shardWork = args.command === 'infer' && args.shard && args.out && !args.dataDir ? shardWorkDir(args.out) : null
  const ctx = createContext(args.dataDir ?? shardWork ?? defaultDataDir(), version, {
    // out/main/cli.js → <app>/resources/models; the worker threads are built beside this file.
    modelsDir: join(here, '..', '..', 'resources', 'models'),
    workersDir: here
  })
  // Commands pass on what was typed (--format, --model): through the same edge as IPC and HTTP.
  const handlers = behindEdge(createApiHandlers(ctx))
  if (args.command === 'serve') {
    await serve(ctx, args.folder, args.port)
    return -1 // keeps running until interrupted
  }
  let code: number
  try {
    code = await run(ctx, handlers, args)
  } finally {
    await closeContext(ctx)
  }
  if (shardWork && code === EXIT.ok) rmSync(shardWork, { recursive: true, force: true })
  return code
}

async function run(ctx: AppContext, handlers: ApiHandlers, args: CliArgs): Promise<number> {
  if (args.command === 'open') {
    if (!args.folder) {
      console.error('pokerface open needs a folder\n\n' + USAGE)
      return EXIT.usage
    }
    const dataset = await openWithProgress(ctx, handlers, args.folder, args.json)
    return dataset.sampleCount === 0 ? EXIT.noImages : EXIT.ok
  }
  if (args.command === 'infer') return await infer(ctx, handlers, args)
  if (args.command === 'eval') return await evaluate(ctx, handlers, args)
  if (args.command === 'merge') return await merge(ctx, handlers, args)
  if (args.command === 'faces') return await faces(args)
  return await exportLabels(ctx, handlers, args)
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code)
  },
  (err) => {
    console.error(`pokerface: ${err?.message ?? err}`)
    process.exit(EXIT.error)
  }
)
