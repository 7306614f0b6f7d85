import { EMOTION_SHORT, isEmotion, type Label } from '@shared/emotions'

const COLOURS: Record<string, string> = {
  neutral: '#8a8f98',
  happiness: '#f2b01e',
  surprise: '#2fb8c9',
  sadness: '#4c74d9',
  anger: '#e0483e',
  disgust: '#5fa84a',
  fear: '#9a5fd1',
  contempt: '#c9762f'
}

export function labelColour(label: Label | null): string {
  if (label === null) return '#3a3f47'
  return COLOURS[label] ?? '#6b6f76'
}

export function labelShort(label: Label | null): string {
  if (label === null) return '—'
  return isEmotion(label) ? EMOTION_SHORT[label] : label.slice(0, 3).toUpperCase()
}

/** Select-box encoding of a label filter: '' = any, NONE = unlabelled. */
export const NONE = '__none__'
export function filterValue(v: Label | null | undefined): string {
  return v === undefined ? '' : v === null ? NONE : v
}
export function parseFilterValue(v: string): Label | null | undefined {
  return v === '' ? undefined : v === NONE ? null : v
}
