import { ApiError } from '@shared/api'
import { labelProblem, quoteLabel } from '@shared/labels'
import type { Sample } from '@shared/types'

/** Quotes a CSV field when it needs it (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

export function isChanged(s: Pick<Sample, 'originalLabel' | 'currentLabel'>): boolean {
  return s.originalLabel !== s.currentLabel
}

/** `path,original_label,current_label,changed`, one row per sample; empty = unlabelled. */
export function labelsCsv(samples: Sample[]): string {
  const lines = ['path,original_label,current_label,changed']
  for (const s of samples) {
    lines.push([s.relPath, s.originalLabel ?? '', s.currentLabel ?? '', isChanged(s) ? '1' : '0'].map(csvField).join(','))
  }
  return lines.join('\n') + '\n'
}

export const UNLABELLED_FOLDER = '_unlabelled'

/**
 * Where each image belongs in a cleaned ImageFolder tree — `<split>/<label>/<file>` — as a
 * tab-separated listing `source_path<TAB>target_path`. A training script (or a two-line shell
 * loop) can build the tree from it without this app. Same-named files from different source
 * folders get a numeric suffix so no target is used twice.
 */
export function imageFolderListing(samples: Sample[]): string {
  const lines = ['source_path\ttarget_path']
  const used = new Set<string>()
  for (const s of samples) {
    // Labels are checked where they enter (setLabel, the label-file readers); a database from an
    // older version may still hold one that is not, and here it would become a folder path.
    const refused = s.currentLabel === null ? null : labelProblem(s.currentLabel)
    if (refused)
      throw new ApiError(
        'bad_request',
        `Cannot export ${s.relPath}: its label ${quoteLabel(s.currentLabel ?? '')} is unsafe (${refused}). Relabel it first.`
      )
    const name = s.relPath.slice(s.relPath.lastIndexOf('/') + 1)
    const folder = [s.split, s.currentLabel ?? UNLABELLED_FOLDER].filter(Boolean).join('/')
    let target = `${folder}/${name}`
    for (let n = 2; used.has(target); n++) {
      const dot = name.lastIndexOf('.')
      const stem = dot > 0 ? name.slice(0, dot) : name
      const ext = dot > 0 ? name.slice(dot) : ''
      target = `${folder}/${stem}-${n}${ext}`
    }
    used.add(target)
    lines.push(`${s.relPath.replace(/[\t\n]/g, ' ')}\t${target.replace(/[\t\n]/g, ' ')}`)
  }
  return lines.join('\n') + '\n'
}
