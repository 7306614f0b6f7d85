import type { Label } from '@shared/emotions'
import type { ReviewFlag } from '@shared/types'

/**
 * What a review action did, in the words undo and redo show ("Undid: marked happy/h2.png
 * not-a-face"). Written once, when the action is taken, and stored with it: the words then stay
 * true after a rescan renames or removes a file, and undo needs no replay to say what it undid.
 */

/** How a set mark reads after "marked <sample>". */
const MARKED: Record<ReviewFlag, string> = {
  keep: 'kept',
  not_a_face: 'not-a-face',
  ambiguous: 'ambiguous',
  exclude: 'excluded'
}

/** The mark as a noun, for "removed the <mark> mark from <sample>". */
const MARK_NOUN: Record<ReviewFlag, string> = {
  keep: 'keep',
  not_a_face: 'not-a-face',
  ambiguous: 'ambiguous',
  exclude: 'exclude'
}

export type ActionWords =
  /** `confirmed`: every sample already had the label (pressing its own key). */
  | { kind: 'label'; label: Label | null; confirmed: boolean }
  /** `label`: the label every sample took, when they all took the same one (else null). */
  | { kind: 'accept'; label: Label | null }
  | { kind: 'mark'; mark: ReviewFlag; on: boolean }
  | { kind: 'note' }
  /** Keep one of a duplicate group (issue 17): `kept` its path, `excluded` how many others were marked exclude. */
  | { kind: 'keepDuplicate'; kept: string; excluded: number }

/** The samples an action changed: how many, and the path in the dataset of the first. */
export interface ChangedSamples {
  count: number
  firstPath: string
}

/** The summary of an action: one sample by its path, several by their count. */
export function describeAction(action: ActionWords, changed: ChangedSamples): string {
  const samples = changed.count === 1 ? changed.firstPath : `${changed.count.toLocaleString('en')} samples`
  switch (action.kind) {
    case 'label':
      return action.confirmed
        ? `confirmed ${samples} as ${action.label ?? 'unlabelled'}`
        : `labelled ${samples} ${action.label ?? 'unlabelled'}`
    case 'accept':
      return action.label === null ? `accepted the suggestions for ${samples}` : `accepted ${action.label} for ${samples}`
    case 'mark':
      return action.on ? `marked ${samples} ${MARKED[action.mark]}` : `removed the ${MARK_NOUN[action.mark]} mark from ${samples}`
    case 'note':
      return `edited the note on ${samples}`
    case 'keepDuplicate':
      return `kept ${action.kept} of its duplicates, excluded ${action.excluded.toLocaleString('en')} other${action.excluded === 1 ? '' : 's'}`
  }
}
