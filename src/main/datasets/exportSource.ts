import { join } from 'node:path'
import { ApiError } from '@shared/api'
import { spellingsOf } from '@shared/formats/classes'
import { FORMATS } from '@shared/formats'
import { imageFolderMoves } from '@shared/formats/imagefolder'
import { RELABELLED_ROWS, relabelledRowsCsv, rewriteLabelFiles } from '@shared/formats/rewrite'
import type { ExportResult } from '@shared/types'
import { recoverInterruptedSets, writeFileSet, type SetFile } from '../files/fileSet'
import { exists } from '../fsutil'
import { isPathInside } from '../paths'
import type { Db } from '../store/db'
import { getDatasetFormat, labelFileRows, sampleCount, sourceLineRows } from '../store/sources'
import { labelFileBytes } from './labelFiles'

/** The listing written for ImageFolder datasets, which have no label file of their own. */
export const IMAGEFOLDER_MOVES = 'imagefolder-moves.tsv'

const MAX_NAMED = 10

/**
 * Writes the dataset's label files, as they were read, into `outDir` at the same relative paths
 * (so the folder can be laid over a copy of the dataset), with the lines of changed samples
 * rewritten, and — when any line was rewritten — `relabelled-rows.csv` listing each such line as
 * it was (FERPlus: the annotators' ten votes). The files land as one set (see files/fileSet.ts)
 * and each file they replace is kept as a backup. Refuses — writing nothing — when a label
 * cannot be expressed in the format, and says which samples. Review marks are not label changes
 * and do not touch these files: the cleaned and provenance exports carry them.
 */
export async function exportSourceFormat(
  db: Db,
  datasetId: number,
  root: string,
  outDir: string,
  overwrite: boolean
): Promise<ExportResult> {
  const stored = getDatasetFormat(db, datasetId)
  const formatId = stored?.format ?? 'imagefolder'
  const format = FORMATS[formatId]
  // ImageFolder's listing names every present image; a label file is rewritten where labels changed.
  const rows = sourceLineRows(db, datasetId, { changedOnly: formatId !== 'imagefolder' })
  const total = formatId === 'imagefolder' ? rows.length : sampleCount(db, datasetId)
  const spellings = spellingsOf(stored?.classes ?? [])
  const changed = rows.filter((r) => r.originalLabel !== r.currentLabel).length

  let outputs: SetFile[]
  let dropped = 0
  if (formatId === 'imagefolder') {
    const present = rows.filter((r) => r.status === 'present')
    outputs = [{ relPath: IMAGEFOLDER_MOVES, bytes: imageFolderMoves(present, spellings) }]
  } else {
    const files = await Promise.all(labelFileRows(db, datasetId).map((f) => labelFileBytes(root, f)))
    if (files.length === 0) {
      throw new ApiError(
        'not_found',
        `No ${format.name} label file was read when the dataset was last opened; reopen it, then export.`
      )
    }
    const outcome = rewriteLabelFiles(
      format,
      files,
      rows.map((r) => ({
        relPath: r.relPath,
        source: r.labelFile === null || r.line === null ? null : { file: r.labelFile, line: r.line },
        originalLabel: r.originalLabel,
        currentLabel: r.currentLabel
      })),
      stored?.options ?? {},
      spellings
    )
    if (outcome.unwritable.length > 0) {
      const named = outcome.unwritable.slice(0, MAX_NAMED).map((u) => `${u.relPath}: ${u.reason}`)
      const more = outcome.unwritable.length > MAX_NAMED ? `\n… and ${outcome.unwritable.length - MAX_NAMED} more` : ''
      throw new ApiError(
        'bad_request',
        `${outcome.unwritable.length} changed label${outcome.unwritable.length === 1 ? '' : 's'} cannot be written as ${format.name}; ` +
          `nothing was written. Relabel them, or export as CSV/JSON with provenance, which holds any label:\n${named.join('\n')}${more}`
      )
    }
    dropped = outcome.files.reduce((n, f) => n + f.dropped, 0)
    outputs = outcome.files.map((f) => ({ relPath: f.path, bytes: f.chunks }))
    // Also when nothing was relabelled but an earlier export left one here: a stale list beside
    // fresh label files would claim rewrites these files no longer hold.
    const wanted = outcome.relabelled.length > 0 || (await exists(join(outDir, RELABELLED_ROWS)))
    if (wanted && !outputs.some((o) => o.relPath === RELABELLED_ROWS))
      outputs.push({ relPath: RELABELLED_ROWS, bytes: relabelledRowsCsv(format, outcome.relabelled) })
  }

  const targets = outputs.map((o) => ({ ...o, path: join(outDir, ...o.relPath.split('/')) }))
  for (const t of targets) {
    if (!isPathInside(outDir, t.path))
      throw new ApiError('outside_root', `Refused: ${t.relPath} would be written outside ${outDir}`)
  }
  // An earlier export into this folder killed midway is finished (or undone) first, so the
  // checks below see whole sets.
  await recoverInterruptedSets(outDir)
  if (!overwrite) {
    const taken = []
    for (const t of targets) if (await exists(t.path)) taken.push(t.path)
    if (taken.length > 0) {
      throw new ApiError(
        'exists',
        `${taken.join(', ')} already exist${taken.length === 1 ? 's' : ''}. Choose another folder, or confirm to replace (a backup is kept).`
      )
    }
  }
  // All files land together or none do (FERPlus: Train, Valid and Test label.csv are one set).
  const written = await writeFileSet(
    outDir,
    targets.map((t) => ({ relPath: t.relPath, bytes: t.bytes }))
  )
  return {
    path: outDir,
    rows: total,
    changed,
    backupPath: written.backups[0] ?? null,
    files: written.files,
    backups: written.backups,
    dropped
  }
}
