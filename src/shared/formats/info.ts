import { EMOTIONS } from '../emotions'
import { mapToModel } from './classes'
import { FORMATS } from './index'
import type { DatasetFormatInfo, FormatCandidate, FormatId, FormatOptions, SourceClass } from './types'

/** What the renderer shows about how a dataset was read, with its classes checked against a model's. */
export function describeFormat(
  stored: {
    format: FormatId
    options: FormatOptions
    chosenBy: 'detection' | 'user'
    detected: FormatCandidate | null
    classes: SourceClass[]
  },
  modelClasses: readonly string[] = EMOTIONS
): DatasetFormatInfo {
  return {
    format: stored.format,
    formatName: FORMATS[stored.format].name,
    options: stored.options,
    detected: stored.detected,
    chosenBy: stored.chosenBy,
    labelFiles: stored.options.labelFiles ?? [],
    classMapping: mapToModel(stored.classes, modelClasses),
    modelClasses: [...modelClasses]
  }
}
