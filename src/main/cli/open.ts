import type { ApiHandlers } from '@shared/api'
import type { DatasetSummary } from '@shared/types'
import type { AppContext } from '../api/context'
import type { SearchOutcome } from '../duplicates/searches'

/** What the command line says of the duplicate search that followed an open. */
function searchLine(end: SearchOutcome | null, ms: number): string {
  const took = `${(ms / 1000).toFixed(1)} s`
  if (end === null || (end.outcome === 'done' && !end.grouped)) return 'Duplicates: nothing new to look at'
  if (end.outcome === 'done') return `Duplicates: ${end.fingerprinted} images decoded and the dataset grouped again in ${took}`
  if (end.outcome === 'cancelled') return `Duplicates: the search was cut short after ${took}; the next open finishes it`
  return `Duplicates: the search failed (${end.message}); the next open tries again`
}

/**
 * Scans a folder with a progress line on stderr, prints a summary (or JSON), returns the dataset.
 * The duplicate search runs after the scan, as in the app; a command waits for it by default (a
 * script that opens a folder expects its duplicates found when the command ends); `serve` does
 * not, and the page shows its progress.
 */
export async function openWithProgress(
  ctx: AppContext,
  handlers: ApiHandlers,
  folder: string,
  json: boolean,
  { waitForDuplicates = true }: { waitForDuplicates?: boolean } = {}
): Promise<DatasetSummary> {
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
  let opened: Awaited<ReturnType<ApiHandlers['openDataset']>>
  let search: { end: SearchOutcome | null; ms: number } | null = null
  try {
    opened = await handlers.openDataset({ root: folder })
    if (waitForDuplicates) {
      const started = performance.now()
      const end = await ctx.duplicateSearches.settled(opened.dataset.id)
      search = { end, ms: Math.round(performance.now() - started) }
    }
  } finally {
    stop()
  }
  const { dataset, report } = opened
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
        ms: report.durationMs,
        ...(search ? { duplicateSearch: search.end?.outcome ?? 'none', duplicateSearchMs: search.ms } : {})
      })
    )
  } else {
    const counts = report.reusedScanOf
      ? `nothing changed on disk since the scan of ${report.reusedScanOf}`
      : `${report.added} new, ${report.changed} changed, ${report.removed} removed`
    console.log(
      `Opened ${dataset.root}: ${dataset.sampleCount} images (${counts}, ${errors.length} unusable) in ${(report.durationMs / 1000).toFixed(1)} s`
    )
    for (const p of errors.slice(0, 20)) console.log(`  unusable: ${p.relPath}: ${p.reason}`)
    if (errors.length > 20) console.log(`  … and ${errors.length - 20} more`)
    if (dataset.sampleCount === 0) console.log(`No images found in ${dataset.root}.`)
    if (search) console.log(searchLine(search.end, search.ms))
  }
  return dataset
}
