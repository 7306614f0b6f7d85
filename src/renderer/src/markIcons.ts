import type { ReviewFlag } from '@shared/types'

/**
 * How each review mark looks, wherever it is shown (grid tile, detail panel). One table, so the
 * tile and the panel cannot drift apart again (all four once showed the same ✓). Each mark has a
 * glyph of its own and a colour of its own (CSS `--mark-<flag>`, per theme), so neither colour nor
 * shape alone carries the meaning; `name` is what a screen reader says.
 */
export interface MarkLook {
  flag: ReviewFlag
  /** The researcher's word for the mark. */
  name: string
  /** The key that toggles it. */
  key: string
  /** A single glyph, read at tile size. */
  icon: string
}

/** In the order the panel lists them and a tile stacks them. */
export const MARKS: readonly MarkLook[] = [
  { flag: 'keep', name: 'Keep', key: 'K', icon: '✓' },
  { flag: 'not_a_face', name: 'Not a face', key: 'N', icon: '⊘' },
  { flag: 'ambiguous', name: 'Ambiguous', key: 'U', icon: '?' },
  { flag: 'exclude', name: 'Exclude', key: 'X', icon: '✕' }
]

/** The looks of the marks a sample has, in MARKS order (whatever order they were stored in). */
export function marksOf(flags: readonly ReviewFlag[] | undefined): MarkLook[] {
  if (!flags || flags.length === 0) return []
  return MARKS.filter((m) => flags.includes(m.flag))
}

/** One mark's look, for a view that shows a single mark (the issue card's Keep). */
export function markLook(flag: ReviewFlag): MarkLook {
  return MARKS.find((m) => m.flag === flag) as MarkLook
}
