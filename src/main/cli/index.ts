/**
 * `pokerface` — the app's services under plain Node, for browser mode and servers without a
 * display. Nothing here may import Electron.
 */
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createContext, type AppContext } from '../api/context'
import { createApiHandlers } from '../api/service'
import { defaultDataDir } from '../paths'
import { startBrowserServer } from '../server/http'
import { staticDirNextTo } from '../server/static'
import { parseCliArgs, USAGE } from './args'
import { version } from '../../../package.json'

type Handlers = ReturnType<typeof createApiHandlers>

/** Scans a folder with a progress line on stderr; returns the dataset and prints a one-line summary. */
async function openWithProgress(ctx: AppContext, handlers: Handlers, folder: string, json: boolean) {
  let lastLine = 0
  const stop = ctx.events.subscribe((event, payload) => {
    if (event !== 'scanProgress') return
    const p = payload as { phase: string; done: number; total: number }
    const now = Date.now()
    if (now - lastLine > 1000 || p.phase === 'done') {
      lastLine = now
      process.stderr.write(`scanning: ${p.phase} ${p.done}/${p.total}\n`)
    }
  })
  const { dataset, report } = await handlers.openDataset({ root: folder }).finally(stop)
  const errors = report.problems.filter((p) => p.kind === 'error')
  if (json) {
    const { problems: _problems, ...counts } = report
    console.log(
      JSON.stringify({
        datasetId: dataset.id,
        root: dataset.root,
        images: dataset.sampleCount,
        ...counts,
        unusable: errors.length,
        ms: report.durationMs
      })
    )
  } else {
    console.log(
      `Opened ${dataset.root}: ${dataset.sampleCount} images (${report.added} new, ${report.changed} changed, ` +
        `${report.removed} removed, ${errors.length} unusable) in ${(report.durationMs / 1000).toFixed(1)} s`
    )
    for (const p of errors.slice(0, 20)) console.log(`  unusable: ${p.relPath}: ${p.reason}`)
    if (errors.length > 20) console.log(`  … and ${errors.length - 20} more`)
    if (dataset.sampleCount === 0) console.log(`No images found in ${dataset.root}.`)
  }
  return dataset
}

async function serve(folder: string | null, dataDir: string, port: number): Promise<void> {
  const ctx = createContext(dataDir, version)
  const handlers = createApiHandlers(ctx)
  if (folder) ctx.startupDatasetId = (await openWithProgress(ctx, handlers, folder, false)).id
  const server = await startBrowserServer(ctx, handlers, {
    port,
    staticDir: staticDirNextTo(dirname(fileURLToPath(import.meta.url)))
  })
  console.log(`PokerFace Studio (browser mode) is at ${server.url}`)
  console.log(`Data folder: ${dataDir}`)
  const shutdown = (): void => {
    void server.close().then(() => {
      ctx.db.close()
      process.exit(0)
    })
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
}

async function main(): Promise<number> {
  const args = parseCliArgs(process.argv.slice(2))
  if (args.errors.length) {
    console.error(args.errors.join('\n') + '\n\n' + USAGE)
    return 2
  }
  if (args.command === 'help') {
    console.log(USAGE)
    return 0
  }
  const dataDir = args.dataDir ?? defaultDataDir()
  if (args.command === 'open') {
    if (!args.folder) {
      console.error('pokerface open needs a folder\n\n' + USAGE)
      return 2
    }
    const ctx = createContext(dataDir, version)
    const dataset = await openWithProgress(ctx, createApiHandlers(ctx), args.folder, args.json)
    ctx.db.close()
    return dataset.sampleCount === 0 ? 3 : 0
  }
  await serve(args.folder, dataDir, args.port)
  return -1 // keep running
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code)
  },
  (err) => {
    console.error(`pokerface: ${err?.message ?? err}`)
    process.exit(1)
  }
)
