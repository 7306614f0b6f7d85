import type { Sample, SampleFilter } from '@shared/types'

/**
 * The loaded pages with every row found in `rows` replaced by it. Answers the same Map when no
 * loaded row is among them, so a decision on faces scrolled out of view re-renders nothing.
 */
export function patchPages(pages: Map<number, Sample[]>, rows: Map<number, Sample>): Map<number, Sample[]> {
  if (rows.size === 0) return pages
  let next: Map<number, Sample[]> | null = null
  for (const [index, page] of pages) {
    if (!page.some((s) => rows.has(s.id))) continue
    next ??= new Map(pages)
    next.set(
      index,
      page.map((s) => rows.get(s.id) ?? s)
    )
  }
  return next ?? pages
}

/**
 * Whether a decision (a label, a mark, a note) can change which faces this filter shows, or
 * their order: then the grid is counted and fetched again after it. Every other view (all faces,
 * a split, a confusion cell by prediction, any sort: scores change only when the labels are ranked
 * again) keeps its rows where they are, and only the decided tiles change.
 */
export function viewFollowsDecisions(filter: SampleFilter): boolean {
  return (
    filter.currentLabel !== undefined ||
    filter.changedOnly === true ||
    filter.reviewed !== undefined ||
    filter.flag !== undefined ||
    // The duplicates queue: its 'disagree' groups follow the labels, and a group's badges all change together.
    filter.duplicates !== undefined
  )
}
