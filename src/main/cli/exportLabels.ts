import { isAbsolute, resolve } from 'node:path'
import { ApiError, type ApiHandlers } from '@shared/api'
import type { ExportFormat } from '@shared/types'
import type { AppContext } from '../api/context'
import { EXIT, type CliArgs } from './args'
import { openWithProgress } from './open'

/** `pokerface export <folder> --out FILE`: the same export the app's dialog writes. */
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
    console.log(
      `Wrote ${r.rows} rows (${r.changed} changed) to ${r.path}${r.backupPath ? `; previous file kept as ${r.backupPath}` : ''}`
    )
    return EXIT.ok
  } catch (err) {
    console.error((err as Error).message + (err instanceof ApiError && err.code === 'exists' ? ' (use --force)' : ''))
    return err instanceof ApiError && err.code === 'exists' ? EXIT.exists : EXIT.usage
  }
}
