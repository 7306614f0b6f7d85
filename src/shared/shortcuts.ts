import { EMOTIONS, labelForDigit, type Label } from './emotions'

export type ReviewAction =
  | { type: 'move'; by: 'left' | 'right' | 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end' }
  | { type: 'label'; label: Label | null }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'help' }
  | { type: 'close' }

export interface KeyPress {
  key: string
  ctrlKey: boolean
  metaKey: boolean
  shiftKey: boolean
  altKey: boolean
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
  return null
}

/** What the `?` overlay (and the app menu) lists. */
export const SHORTCUTS: { keys: string; what: string }[] = [
  { keys: '← → ↑ ↓', what: 'Move through the grid' },
  { keys: 'PgUp PgDn Home End', what: 'Jump a screen, or to the start or end' },
  ...EMOTIONS.map((e, i) => ({ keys: String(i + 1), what: `Label as ${e} and advance` })),
  { keys: '0', what: 'Remove the label (unlabelled) and advance' },
  { keys: 'Click, Ctrl/Cmd+Click, Shift+Click', what: 'Select one, toggle one, select a range' },
  { keys: 'Ctrl/Cmd+Z', what: 'Undo' },
  { keys: 'Shift+Ctrl/Cmd+Z or Ctrl+Y', what: 'Redo' },
  { keys: '?', what: 'Show this list' },
  { keys: 'Esc', what: 'Close a panel' }
]
