import type { ApiHandlers } from '@shared/api'
import type { DatasetSummary } from '@shared/types'
import type { AppContext } from '../api/context'

/** Scans a folder with a progress line on stderr, prints a summary (or JSON), returns the dataset. */
export async function openWithProgress(
  ctx: AppContext,
  handlers: ApiHandlers,
  folder: string,
  json: boolean
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
    const counts = report.reusedScanOf
      ? `nothing changed on disk since the scan of ${report.reusedScanOf}`
      : `${report.added} new, ${report.changed} changed, ${report.removed} removed`
    console.log(
      `Opened ${dataset.root}: ${dataset.sampleCount} images (${counts}, ${errors.length} unusable) in ${(report.durationMs / 1000).toFixed(1)} s`
    )
    for (const p of errors.slice(0, 20)) console.log(`  unusable: ${p.relPath}: ${p.reason}`)
    if (errors.length > 20) console.log(`  … and ${errors.length - 20} more`)
    if (dataset.sampleCount === 0) console.log(`No images found in ${dataset.root}.`)
  }
  return dataset
}
