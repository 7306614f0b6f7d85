import { SPLITS, type Split } from '@shared/splits'
import {
  REVIEW_FLAGS,
  SAMPLE_SORT_KEYS,
  type InSampleFilter,
  type ReviewFlag,
  type SampleFilter,
  type SampleSort,
  type SampleSortKey
} from '@shared/types'

/**
 * What a researcher is looking at in one dataset: the order, the filters, the selection and where
 * the grid is scrolled. It is kept per dataset and written into the page's address, so a reload, a
 * bookmark or a link sent to a colleague on the same server opens the same view.
 */
export interface DatasetView {
  filter: SampleFilter
  sort: SampleSort
  /** Selected sample ids (ids, not grid positions: the positions move when labels change). */
  selected: number[]
  /** The grid position of the keyboard cursor. */
  cursor: number
  /** The grid's scroll offset in pixels. */
  scrollTop: number
}

export const DEFAULT_VIEW: DatasetView = { filter: {}, sort: { by: 'path' }, selected: [], cursor: 0, scrollTop: 0 }

/** An address read back: the dataset it names (null: none), its view, and what could not be used. */
export interface ViewFromUrl {
  datasetId: number | null
  view: DatasetView
  /** One sentence per parameter that was left out, for the researcher to see. */
  ignored: string[]
}

const IN_SAMPLE: readonly InSampleFilter[] = ['yes', 'no', 'unknown']

/**
 * Parameter names, short but readable in an address bar. A label parameter with an empty value
 * means "unlabelled" (`label=`), which no real label can be, so it never collides with a class name.
 */
const P = {
  dataset: 'dataset',
  sort: 'sort',
  reverse: 'reverse',
  currentLabel: 'label',
  originalLabel: 'original',
  predictedLabel: 'predicted',
  split: 'split',
  changedOnly: 'changed',
  flaggedOnly: 'flagged',
  reviewed: 'reviewed',
  flag: 'mark',
  inSample: 'trained',
  selected: 'selected',
  cursor: 'cursor',
  scrollTop: 'scroll'
} as const

/** The address's query string (without '?') for a dataset's view; only what differs from the default. */
export function viewToSearch(datasetId: number | null, view: DatasetView): string {
  const params = new URLSearchParams()
  if (datasetId === null) return ''
  params.set(P.dataset, String(datasetId))
  if (view.sort.by !== 'path') params.set(P.sort, view.sort.by)
  if (view.sort.reverse) params.set(P.reverse, '1')
  const f = view.filter
  if (f.currentLabel !== undefined) params.set(P.currentLabel, f.currentLabel ?? '')
  if (f.originalLabel !== undefined) params.set(P.originalLabel, f.originalLabel ?? '')
  if (f.predictedLabel !== undefined) params.set(P.predictedLabel, f.predictedLabel)
  if (f.split !== undefined) params.set(P.split, f.split ?? '')
  if (f.changedOnly) params.set(P.changedOnly, '1')
  if (f.flaggedOnly) params.set(P.flaggedOnly, '1')
  if (f.reviewed !== undefined) params.set(P.reviewed, f.reviewed ? 'yes' : 'no')
  if (f.flag !== undefined) params.set(P.flag, f.flag)
  if (f.inSample !== undefined) params.set(P.inSample, f.inSample)
  if (view.selected.length > 0) params.set(P.selected, [...view.selected].sort((a, b) => a - b).join(','))
  if (view.cursor > 0) params.set(P.cursor, String(view.cursor))
  if (view.scrollTop > 0) params.set(P.scrollTop, String(Math.round(view.scrollTop)))
  return params.toString()
}

const isCount = (text: string): boolean => /^\d{1,9}$/.test(text)
const isId = (text: string): boolean => isCount(text) && Number(text) > 0

/**
 * Reads an address's query string back into a view. A parameter that makes no sense (a hand-edited
 * or truncated link) is left out with a sentence saying so; everything else in the address is kept.
 * Parameters this app does not know are not ours (a proxy's, a tracker's) and are passed over.
 */
export function viewFromSearch(search: string): ViewFromUrl {
  const params = new URLSearchParams(search)
  const ignored: string[] = []
  const filter: SampleFilter = {}
  const view: DatasetView = { ...DEFAULT_VIEW, filter, sort: { by: 'path' } }
  const get = (name: string): string | null => params.get(name)
  const reject = (name: string, value: string, why: string): void => void ignored.push(`${name}=${value}: ${why}`)

  let datasetId: number | null = null
  const dataset = get(P.dataset)
  if (dataset !== null) {
    if (isId(dataset)) datasetId = Number(dataset)
    else reject(P.dataset, dataset, 'not a dataset number')
  }
  // A view without its dataset has nothing to apply to.
  if (datasetId === null) return { datasetId, view: { ...DEFAULT_VIEW }, ignored }

  const sort = get(P.sort)
  if (sort !== null) {
    if ((SAMPLE_SORT_KEYS as readonly string[]).includes(sort)) view.sort = { by: sort as SampleSortKey }
    else reject(P.sort, sort, `not an order (one of ${SAMPLE_SORT_KEYS.join(', ')})`)
  }
  const reverse = get(P.reverse)
  if (reverse !== null) {
    if (reverse === '1') view.sort = { ...view.sort, reverse: true }
    else if (reverse !== '0') reject(P.reverse, reverse, 'must be 1 or 0')
  }

  const label = (name: string): string | null | undefined => {
    const value = get(name)
    return value === null ? undefined : value === '' ? null : value
  }
  const current = label(P.currentLabel)
  if (current !== undefined) filter.currentLabel = current
  const original = label(P.originalLabel)
  if (original !== undefined) filter.originalLabel = original
  const predicted = get(P.predictedLabel)
  if (predicted !== null) {
    if (predicted !== '') filter.predictedLabel = predicted
    else reject(P.predictedLabel, predicted, 'a predicted label cannot be empty')
  }
  const split = get(P.split)
  if (split !== null) {
    if (split === '') filter.split = null
    else if ((SPLITS as readonly string[]).includes(split)) filter.split = split as Split
    else reject(P.split, split, `not a split (one of ${SPLITS.join(', ')}, or empty for none)`)
  }
  for (const key of ['changedOnly', 'flaggedOnly'] as const) {
    const value = get(P[key])
    if (value === null) continue
    if (value === '1') filter[key] = true
    else if (value !== '0') reject(P[key], value, 'must be 1 or 0')
  }
  const reviewed = get(P.reviewed)
  if (reviewed !== null) {
    if (reviewed === 'yes' || reviewed === 'no') filter.reviewed = reviewed === 'yes'
    else reject(P.reviewed, reviewed, 'must be yes or no')
  }
  const flag = get(P.flag)
  if (flag !== null) {
    if ((REVIEW_FLAGS as readonly string[]).includes(flag)) filter.flag = flag as ReviewFlag
    else reject(P.flag, flag, `not a mark (one of ${REVIEW_FLAGS.join(', ')})`)
  }
  const inSample = get(P.inSample)
  if (inSample !== null) {
    if ((IN_SAMPLE as readonly string[]).includes(inSample)) filter.inSample = inSample as InSampleFilter
    else reject(P.inSample, inSample, `must be one of ${IN_SAMPLE.join(', ')}`)
  }

  const selected = get(P.selected)
  if (selected !== null && selected !== '') {
    const parts = selected.split(',')
    // The good ids are kept: one mangled id does not lose a selection of hundreds.
    view.selected = [...new Set(parts.filter(isId).map(Number))]
    const bad = parts.filter((p) => !isId(p))
    if (bad.length > 0) reject(P.selected, bad.slice(0, 3).join(','), 'not sample numbers')
  }
  for (const key of ['cursor', 'scrollTop'] as const) {
    const value = get(P[key])
    if (value === null) continue
    if (isCount(value)) view[key] = Number(value)
    else reject(P[key], value, 'not a whole number of 0 or more')
  }
  return { datasetId, view, ignored }
}
