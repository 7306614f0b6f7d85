/**
 * Duplicate groups as the workspace sees them (issue 17): samples whose decoded pixels are the same
 * (exact) or whose faces are the same photo shifted, cropped, brightened, re-encoded or mirrored (near).
 */

/** Grid filter: every sample in a duplicate group, or only groups that span splits / disagree on the label. */
export type DuplicateFilter = 'any' | 'leakage' | 'disagree'
export const DUPLICATE_FILTERS: readonly DuplicateFilter[] = ['any', 'leakage', 'disagree']

/** A sample's place in its duplicate group, on each grid row of a sample that has one. */
export interface SampleDuplicate {
  /** The group's id: its smallest sample id. */
  group: number
  /** Present members of the group, this one included. */
  size: number
  /** Some other member has exactly the same decoded pixels. */
  exact: boolean
  /** The group's members are in more than one split: a face seen in training and again in test or valid (leakage). */
  crossSplit: boolean
  /** The group's labelled members carry more than one current label (unlabelled members do not count). */
  labelsDisagree: boolean
}
