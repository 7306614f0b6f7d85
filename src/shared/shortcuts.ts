import { EMOTIONS, labelForDigit, type Label } from './emotions'
import type { ReviewFlag } from './types'

/** The compare view's images, in the order `v` steps through them. */
export const COMPARE_MODES = [
  'original',
  'reconstruction',
  'poker_face',
  'emotion_component',
  'emotion_map',
  'wipe',
  'blink'
] as const
export type CompareMode = (typeof COMPARE_MODES)[number]

export type ReviewAction =
  | { type: 'move'; by: 'left' | 'right' | 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end' }
  | { type: 'label'; label: Label | null }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'help' }
  | { type: 'close' }
  /** Set the label the ranking suggests (on every selected sample) and advance. */
  | { type: 'accept' }
  /** Flag-style review decisions; 'keep' = the label was checked and is right. */
  | { type: 'flag'; flag: ReviewFlag }
  | { type: 'compare'; mode: CompareMode | 'next' }
  | { type: 'note' }
  | { type: 'metrics' }
  /** Keep the cursor's face of its duplicate group, mark the others exclude (issue 17). */
  | { type: 'keepDuplicate' }
  /** The cursor's face and its nearest neighbours by embedding, in the grid (issue 17). */
  | { type: 'moreLikeThis' }
  /** Show or hide the embedding map (issue 17). */
  | { type: 'map' }

export interface KeyPress {
  key: string
  ctrlKey: boolean
  metaKey: boolean
  shiftKey: boolean
  altKey: boolean
}

/** Letter keys of the review, without modifiers. */
const LETTERS: Record<string, ReviewAction> = {
  a: { type: 'accept' },
  k: { type: 'flag', flag: 'keep' },
  n: { type: 'flag', flag: 'not_a_face' },
  u: { type: 'flag', flag: 'ambiguous' },
  x: { type: 'flag', flag: 'exclude' },
  v: { type: 'compare', mode: 'next' },
  b: { type: 'compare', mode: 'blink' },
  w: { type: 'compare', mode: 'wipe' },
  e: { type: 'note' },
  m: { type: 'metrics' },
  d: { type: 'keepDuplicate' },
  s: { type: 'moreLikeThis' }, // s: similar
  g: { type: 'map' } // g: geography of the embeddings (m is the metrics)
}

const MOVES: Record<string, Extract<ReviewAction, { type: 'move' }>['by']> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
  PageUp: 'pageUp',
  PageDown: 'pageDown',
  Home: 'home',
  End: 'end'
}

/** The review keyboard, as a pure function so it is tested without a browser. */
export function actionForKey(k: KeyPress): ReviewAction | null {
  const mod = k.ctrlKey || k.metaKey // Ctrl on Linux/Windows, Cmd on macOS
  if (mod && !k.altKey && k.key.toLowerCase() === 'z') return k.shiftKey ? { type: 'redo' } : { type: 'undo' }
  if (mod && !k.altKey && !k.shiftKey && k.key.toLowerCase() === 'y') return { type: 'redo' }
  if (mod || k.altKey) return null
  if (MOVES[k.key]) return { type: 'move', by: MOVES[k.key] }
  const label = labelForDigit(k.key)
  if (label) return { type: 'label', label }
  if (k.key === '0') return { type: 'label', label: null }
  if (k.key === '?') return { type: 'help' }
  if (k.key === 'Escape') return { type: 'close' }
  if (k.key === 'Enter' && !k.shiftKey) return { type: 'accept' }
  // Shift+letter stays with the browser; a letter typed with Caps Lock on still works.
  if (!k.shiftKey && LETTERS[k.key.toLowerCase()]) return LETTERS[k.key.toLowerCase()]
  return null
}

/** What the `?` overlay (and the app menu) lists. */
export const SHORTCUTS: { keys: string; what: string }[] = [
  { keys: '← → ↑ ↓', what: 'Move through the grid' },
  { keys: 'PgUp PgDn Home End', what: 'Jump a screen, or to the start or end' },
  ...EMOTIONS.map((e, i) => ({ keys: String(i + 1), what: `Label as ${e} and advance` })),
  { keys: 'The label’s own number', what: 'Confirm the label: kept and reviewed, as with K' },
  { keys: '0', what: 'Remove the label (unlabelled) and advance' },
  { keys: 'Enter or A', what: 'Accept the suggested label (for an unlabelled face: the model’s class) and advance' },
  { keys: 'K', what: 'Keep the label (reviewed, it is right) and advance' },
  { keys: 'N / U / X', what: 'Mark not a face / ambiguous / exclude (again: clear it)' },
  { keys: 'V', what: 'Next view of the face: original, reconstruction, poker face, emotion component, emotion map, wipe, blink' },
  { keys: 'W / B', what: 'Wipe / blink between the original and its poker face' },
  { keys: 'D', what: 'Duplicates: keep this face of its group and mark the other members exclude (one undo step)' },
  { keys: 'S', what: 'More like this: the face and its nearest faces by the model’s embedding, most similar first (Esc: back)' },
  { keys: 'G', what: 'Show or hide the map of the embeddings (Shift+drag: lasso faces into the grid)' },
  { keys: 'E', what: 'Write a note on the sample' },
  { keys: 'M', what: 'Show or hide the metrics (confusion matrix, precision and recall)' },
  { keys: 'Click, Ctrl/Cmd+Click, Shift+Click', what: 'Select one, toggle one, select a range; keys act on the whole selection' },
  { keys: 'Ctrl/Cmd+Z', what: 'Undo the last decision (label, mark, note or accept), says which, and goes to it' },
  { keys: 'Shift+Ctrl/Cmd+Z or Ctrl+Y', what: 'Redo' },
  { keys: '?', what: 'Show this list' },
  { keys: 'Esc', what: 'Close a panel; leave a “more like this” or lasso grid for the view before it' }
]
