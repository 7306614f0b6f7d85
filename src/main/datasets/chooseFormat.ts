import { ApiError } from '@shared/api'
import { FORMATS, isFormatId } from '@shared/formats'
import type { FormatCandidate, FormatId, FormatOptions } from '@shared/formats/types'
import type { StoredFormat } from '../store/sources'

/** What the user asked for when opening: a format ('auto' or absent: detect), and options to override. */
export interface FormatRequest {
  format?: FormatId | 'auto'
  options?: FormatOptions
}

export interface FormatChoice {
  format: FormatId
  options: FormatOptions
  chosenBy: 'detection' | 'user'
  detected: FormatCandidate | null
}

const WHERE_LABELS_ARE: Record<FormatId, string> = {
  imagefolder: 'class folders',
  rafdb: 'EmoLabel/list_patition_label.txt',
  ferplus: 'FER2013Train/label.csv (and Valid, Test) or fer2013new.csv',
  fer2013: 'a CSV with a pixels column, such as fer2013.csv',
  affectnet: "training.csv or validation.csv with AffectNet's columns",
  csv: 'a CSV or TSV that lists image files'
}

/**
 * Which format a scan uses: the user's explicit choice; else the format the dataset was read with
 * last time (so a label file that went missing, or a new CSV beside the images, never silently
 * changes how a dataset is read — the problems list says what is wrong instead); else what
 * detection ranks first. 'auto' asks for detection again. Options given override the others.
 */
export function chooseFormat(request: FormatRequest, stored: StoredFormat | null, candidates: FormatCandidate[]): FormatChoice {
  const detected = candidates[0] ?? null
  const given = request.options ?? {}
  if (request.format !== undefined && request.format !== 'auto' && !isFormatId(request.format)) {
    throw new ApiError('bad_request', `Unknown dataset format: ${String(request.format)}`)
  }
  const manual = request.format !== undefined && request.format !== 'auto' ? request.format : null
  if (manual === null && request.format === undefined && stored) {
    return { format: stored.format, options: { ...stored.options, ...given }, chosenBy: stored.chosenBy, detected }
  }
  if (manual === null) {
    const best = detected ?? { format: 'imagefolder' as const, options: {}, evidence: '' }
    return { format: best.format, options: { ...best.options, ...given }, chosenBy: 'detection', detected }
  }
  const ofFormat = candidates.filter((c) => c.format === manual)
  const base = ofFormat.find((c) => given.ferplusVotes && c.options.ferplusVotes === given.ferplusVotes) ?? ofFormat[0]
  const options = { ...(base?.options ?? {}), ...given }
  if (manual !== 'imagefolder' && !options.labelFiles?.length) {
    throw new ApiError(
      'bad_request',
      `No ${FORMATS[manual].name} label file found in this folder (looked for ${WHERE_LABELS_ARE[manual]}). ` +
        'Open the folder that holds it, or name the label file in the options.'
    )
  }
  return { format: manual, options, chosenBy: 'user', detected }
}
