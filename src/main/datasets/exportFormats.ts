import { ApiError } from '@shared/api'
import type { Label } from '@shared/emotions'
import { parseRowPath } from '@shared/formats/fer2013'
import { imageFolderPlaces, UNLABELLED_FOLDER } from '@shared/formats/imagefolder'
import type { FormatId } from '@shared/formats/types'
import { labelProblem, quoteLabel } from '@shared/labels'
import type { Split } from '@shared/splits'

/**
 * The cleaned exports' contents as plain data: which rows the cleaned CSV holds and where each
 * image goes in the cleaned ImageFolder tree. Pure; the samples come in already cleaned (see
 * @shared/cleaned) and exportTree.ts does the disk work.
 */

/** Quotes a CSV field when it needs it (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

export interface LabelledSample {
  relPath: string
  split: Split | null
  originalLabel: Label | null
  currentLabel: Label | null
}

export function isChanged(s: Pick<LabelledSample, 'originalLabel' | 'currentLabel'>): boolean {
  return s.originalLabel !== s.currentLabel
}

/** `path,original_label,current_label,changed`, one row per kept sample; empty = unlabelled. */
export function labelsCsv(samples: readonly LabelledSample[]): string {
  const lines = ['path,original_label,current_label,changed']
  for (const s of samples) {
    lines.push([s.relPath, s.originalLabel ?? '', s.currentLabel ?? '', isChanged(s) ? '1' : '0'].map(csvField).join(','))
  }
  return lines.join('\n') + '\n'
}

/** A sample's file name in the tree: its own, or `row-00123.png` for a FER2013 CSV row (pixels only). */
function fileNameOf(relPath: string): string {
  const row = parseRowPath(relPath)
  if (row) return `row-${relPath.slice(relPath.lastIndexOf('#row-') + 5)}.png`
  return relPath.slice(relPath.lastIndexOf('/') + 1)
}

/** `<split>/<label>/<file>`, suffixed where two sources share a file name. */
function splitLabelPlaces<T extends LabelledSample>(samples: readonly T[]): { sample: T; target: string }[] {
  const used = new Set<string>()
  return samples.map((s) => {
    // Labels are checked where they enter (setLabel, the label-file readers); a database from an
    // older version may still hold one that is not, and here it would become a folder path.
    const refused = s.currentLabel === null ? null : labelProblem(s.currentLabel)
    if (refused)
      throw new ApiError(
        'bad_request',
        `Cannot export ${s.relPath}: its label ${quoteLabel(s.currentLabel ?? '')} is unsafe (${refused}). Relabel it first.`
      )
    const name = fileNameOf(s.relPath)
    const folder = [s.split, s.currentLabel ?? UNLABELLED_FOLDER].filter(Boolean).join('/')
    let target = `${folder}/${name}`
    for (let n = 2; used.has(target); n++) {
      const dot = name.lastIndexOf('.')
      const stem = dot > 0 ? name.slice(0, dot) : name
      const ext = dot > 0 ? name.slice(dot) : ''
      target = `${folder}/${stem}-${n}${ext}`
    }
    used.add(target)
    return { sample: s, target }
  })
}

/**
 * Where each kept image goes in the cleaned ImageFolder tree. An ImageFolder dataset keeps its own
 * layout — split and class folder names as the researcher spelled them (`angry/`, not `anger/`),
 * unchanged images at their own path, relabelled ones in their new class's folder — so the tree
 * is the dataset minus what was left out. Other formats have no folders to keep, so their images
 * go to `<split>/<label>/<file>` in the app's label names.
 */
export function cleanedTreePlaces<T extends LabelledSample>(
  samples: readonly T[],
  format: FormatId,
  spellings: ReadonlyMap<Label, string>
): { sample: T; target: string }[] {
  return format === 'imagefolder' ? imageFolderPlaces(samples, spellings) : splitLabelPlaces(samples)
}
