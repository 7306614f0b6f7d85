/**
 * The map's points and colours (issue 17), from the compact arrays getEmbeddingMap answers. Pure:
 * decoded and coloured here, drawn by the map component.
 */
import type { EmbeddingMap } from '@shared/api'
import { NO_CODE, SCORE_STEPS, type MapColouring } from '@shared/mapColours'
import { labelColour } from './labels'

export const COLOURINGS: { value: MapColouring; name: string }[] = [
  { value: 'label', name: 'Current label' },
  { value: 'prediction', name: 'Model’s prediction' },
  { value: 'issueScore', name: 'Issue score (most likely wrong)' },
  { value: 'split', name: 'Split' }
]

/** Grey for "none" (unlabelled, not predicted, not scored, no split): present but quiet. */
const NONE_COLOUR = '#4a4f58'
const SPLIT_COLOURS: Record<string, string> = { train: '#4f8cff', valid: '#f2b01e', test: '#e0483e' }
/** Low to high issue score, dark blue to yellow (viridis stops): the likely-wrong faces stand out. */
const SCORE_COLOURS = [
  '#440154',
  '#482878',
  '#3e4989',
  '#31688e',
  '#26828e',
  '#1f9e89',
  '#35b779',
  '#6ece58',
  '#b5de2b',
  '#fde725'
]

export interface MapPoints {
  sampleIds: Int32Array
  x: Float32Array
  y: Float32Array
}

function bytesOf(base64: string): Uint8Array {
  const text = atob(base64)
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i)
  return out
}

/**
 * The map's ids and positions. `margin` (< 1) shrinks the [-1, 1] layout so the outermost faces
 * are not drawn half off the canvas edge.
 */
export function decodeMap(map: Pick<EmbeddingMap, 'sampleIds' | 'coords'>, margin = 0.95): MapPoints {
  const sampleIds = new Int32Array(bytesOf(map.sampleIds).buffer)
  const coords = new Float32Array(bytesOf(map.coords).buffer)
  const n = sampleIds.length
  const x = new Float32Array(n)
  const y = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    x[i] = coords[2 * i] * margin
    y[i] = coords[2 * i + 1] * margin
  }
  return { sampleIds, x, y }
}

export interface Colouring {
  /** Each point's category, an index into `palette`. */
  category: Float32Array
  palette: string[]
  legend: { name: string; colour: string }[]
}

/** One colouring as categories: names from the answer, issue scores in ten bands, "none" last. */
export function colouring(colours: EmbeddingMap['colours'], by: MapColouring): Colouring {
  const codes = bytesOf(colours[by])
  let names: string[]
  let palette: string[]
  let band = (code: number): number => code
  if (by === 'issueScore') {
    names = SCORE_COLOURS.map((_, i) => `${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}`)
    palette = [...SCORE_COLOURS]
    band = (code) => Math.min(SCORE_COLOURS.length - 1, Math.floor((code / SCORE_STEPS) * SCORE_COLOURS.length))
  } else if (by === 'split') {
    names = colours.splits
    palette = names.map((n) => SPLIT_COLOURS[n] ?? '#9a5fd1')
  } else {
    names = colours.classes
    palette = names.map((n) => labelColour(n))
  }
  const none = names.length
  const category = Float32Array.from(codes, (c) => (c === NO_CODE ? none : band(c)))
  const noneName = { label: 'unlabelled', prediction: 'not predicted', issueScore: 'not scored', split: 'no split' }[by]
  const legend = names.map((name, i) => ({ name, colour: palette[i] }))
  if (category.includes(none)) legend.push({ name: noneName, colour: NONE_COLOUR })
  return { category, palette: [...palette, NONE_COLOUR], legend }
}
