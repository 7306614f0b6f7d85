/** The formats the app reads and writes, by id, and what the open screen lists. */
import { affectnet } from './affectnet'
import { fer2013 } from './fer2013'
import { ferplus } from './ferplus'
import { genericCsv } from './genericCsv'
import { imageFolder } from './imagefolder'
import { rafdb } from './rafdb'
import { FORMAT_IDS, type DatasetFormat, type FormatId, type FormatSpec } from './types'

export const FORMATS: Record<FormatId, DatasetFormat> = {
  imagefolder: imageFolder,
  rafdb,
  ferplus,
  fer2013,
  affectnet,
  csv: genericCsv
}

const OPTIONS: Record<FormatId, FormatSpec['options']> = {
  imagefolder: [],
  rafdb: ['labelFiles', 'rafdbImages'],
  ferplus: ['labelFiles', 'ferplusVotes', 'ferplusMode'],
  fer2013: ['labelFiles'],
  affectnet: ['labelFiles', 'imagePrefix'],
  csv: ['labelFiles', 'pathColumn', 'labelColumn', 'splitColumn', 'delimiter', 'hasHeader', 'classes', 'imagePrefix']
}

export function isFormatId(value: unknown): value is FormatId {
  return typeof value === 'string' && (FORMAT_IDS as readonly string[]).includes(value)
}

export function formatSpecs(): FormatSpec[] {
  return FORMAT_IDS.map((id) => ({ id, name: FORMATS[id].name, description: FORMATS[id].description, options: OPTIONS[id] }))
}
