import { isAbsolute, resolve } from 'node:path'
import { ApiError, type ApiHandlers } from '@shared/api'
import { describeLeftOut } from '@shared/cleaned'
import type { ExportFormat, ExportResult } from '@shared/types'
import type { AppContext } from '../api/context'
import { EXIT, type CliArgs } from './args'
import { openWithProgress } from './open'

/** What was written and, for every file replaced, where its previous version is kept. */
function exportSummary(r: ExportResult): string {
  const files = r.files ?? [r.path]
  const backups = r.backups ?? (r.backupPath ? [r.backupPath] : [])
  const what = r.images ? 'images' : 'rows'
  const where = r.images ? `the folder ${r.path}` : files.length === 1 ? files[0] : `${files.length} files in ${r.path}`
  const lines = [`Wrote ${r.rows} ${what} (${r.changed} changed) to ${where}`]
  // Cleaned exports say what they left out, so a count that looks short is explained on the spot.
  if (r.leftOut) lines[0] += `; ${describeLeftOut(r.leftOut)}`
  if (r.images) lines.push(`  ${r.images.linked} hard-linked, ${r.images.copied} copied, ${r.images.written} written from pixels`)
  if (files.length > 1) for (const f of files) lines.push(`  ${f}`)
  if (backups.length > 0)
    lines.push(`Replaced ${backups.length} file${backups.length === 1 ? '' : 's'}; the previous versions are kept as:`)
  for (const b of backups) lines.push(`  ${b}`)
  return lines.join('\n')
}

/** `pokerface export <folder> --out FILE` (a folder for imagefolder and source): the same export the app's dialog writes. */
export async function exportLabels(ctx: AppContext, handlers: ApiHandlers, args: CliArgs): Promise<number> {
  if (!args.folder || !args.out) {
    console.error('pokerface export needs a dataset folder and --out FILE')
    return EXIT.usage
  }
  const dataset = await openWithProgress(ctx, handlers, args.folder, false)
  const path = isAbsolute(args.out) ? args.out : resolve(args.out)
  try {
    const r = await handlers.exportLabels({
      datasetId: dataset.id,
      format: args.format as ExportFormat,
      path,
      overwrite: args.force
    })
    console.log(exportSummary(r))
    return EXIT.ok
  } catch (err) {
    console.error((err as Error).message + (err instanceof ApiError && err.code === 'exists' ? ' (use --force)' : ''))
    return err instanceof ApiError && err.code === 'exists' ? EXIT.exists : EXIT.usage
  }
}
