/**
 * The review's actions and the desktop menu's commands, run on the review store. One place for
 * both, so a menu item and its key can never do different things; pure of DOM and React, so it
 * runs (and is tested) against the real store anywhere.
 */
import type { MenuCommand } from '@shared/menuCommands'
import { COMPARE_MODES, type ReviewAction } from '@shared/shortcuts'
import type { ReviewState } from './store'

/** Close and help work everywhere; every other action needs an open dataset and no panel on top. */
export function reviewActionApplies(s: ReviewState, action: ReviewAction): boolean {
  if (action.type === 'close' || action.type === 'help') return true
  return !!s.dataset && !s.overlay
}

/** Runs one review action. Call only where reviewActionApplies says it applies. */
export async function runReviewAction(s: ReviewState, action: ReviewAction): Promise<void> {
  switch (action.type) {
    case 'close':
      // Esc peels one layer: a panel on top, else a "more like this" or lasso grid.
      if (s.overlay || !s.subset) return s.setOverlay(null)
      return s.leaveSubset()
    case 'help':
      return s.setOverlay(s.overlay === 'help' ? null : 'help')
    case 'undo':
      return s.undo()
    case 'redo':
      return s.redo()
    case 'label':
      return s.labelSelection(action.label)
    case 'accept':
      return s.acceptSuggestion()
    case 'flag':
      return s.toggleFlag(action.flag)
    case 'note':
      return s.focusNote()
    case 'keepDuplicate':
      return s.keepDuplicate()
    case 'metrics':
      return s.setView(s.view === 'metrics' ? 'grid' : 'metrics')
    case 'map':
      return s.setView(s.view === 'map' ? 'grid' : 'map')
    case 'moreLikeThis':
      return s.moreLikeThis()
    case 'compare': {
      const next = COMPARE_MODES[(COMPARE_MODES.indexOf(s.compare.mode) + 1) % COMPARE_MODES.length]
      // Pressing a mode's own key again goes back to the original.
      const mode = action.mode === 'next' ? next : s.compare.mode === action.mode ? 'original' : action.mode
      return s.setCompare({ mode })
    }
    case 'move': {
      const screen = s.columns * 5
      const by = {
        left: -1,
        right: 1,
        up: -s.columns,
        down: s.columns,
        pageUp: -screen,
        pageDown: screen,
        home: -s.total,
        end: s.total
      }
      return s.move(by[action.by])
    }
  }
}

/** Runs a command from the desktop menu; a review action that does not apply now is ignored, as its key would be. */
export async function runMenuCommand(s: ReviewState, command: MenuCommand): Promise<void> {
  switch (command.type) {
    case 'openFolder':
      return s.openFolder(command.root)
    case 'closeDataset':
      return s.closeDataset()
    case 'review':
      if (reviewActionApplies(s, command.action)) return runReviewAction(s, command.action)
  }
}
