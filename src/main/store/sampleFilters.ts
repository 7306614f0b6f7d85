import type { InSampleFilter, SampleFilter } from '@shared/types'
import { REVIEWED_IDS_SQL } from './review'
import { duplicateFilterSql } from './duplicates'
import { ODD_IDS_SQL } from './oddness'

/** The grid's filters as SQL over `samples s` (and `review_scores r` where they need it). */
export interface FilterClause {
  sql: string
  params: unknown[]
  scores: boolean
  from: string
}

/** review_scores.out_of_sample is 1 (the model did not train on the face), 0 (it did) or NULL (unknown). */
const IN_SAMPLE_SQL: Record<InSampleFilter, string> = {
  yes: 'r.out_of_sample = 0',
  no: 'r.out_of_sample = 1',
  unknown: 'r.out_of_sample IS NULL'
}

/**
 * Filters on `samples s`; `scores` says whether they need `review_scores r` joined. `from` is what
 * the query reads from. An explicit id list is a join (`pick`) rather than an IN, read by listedIds alone,
 * which binds the list as the first parameter: the list drives (CROSS JOIN keeps it outer), each id
 * looked up in samples. Left to the planner, SQLite read the dataset's samples and scanned the whole
 * list for each: at 1M samples a lasso of 100,000 faces did not answer in 5 minutes (issue 19,
 * `npm run bench:scale`).
 */
export function filterClause(datasetId: number, filter: SampleFilter): FilterClause {
  const parts: string[] = []
  const params: unknown[] = []
  const eq = (column: string, value: string | null | undefined): void => {
    if (value === undefined) return
    if (value === null) parts.push(`${column} IS NULL`)
    else {
      parts.push(`${column} = ?`)
      params.push(value)
    }
  }
  eq('s.current_label', filter.currentLabel)
  eq('s.original_label', filter.originalLabel)
  eq('s.split', filter.split)
  if (filter.changedOnly) parts.push('s.current_label IS NOT s.original_label')
  if (filter.flaggedOnly) parts.push('r.flagged = 1')
  eq('r.predicted_label', filter.predictedLabel)
  // Set membership rather than a subquery per sample: the decisions are read once (issue 19).
  if (filter.reviewed !== undefined) parts.push(`s.id ${filter.reviewed ? 'IN' : 'NOT IN'} ${REVIEWED_IDS_SQL}`)
  if (filter.flag !== undefined) {
    parts.push('s.id IN (SELECT f.sample_id FROM flags f WHERE f.flag = ?)')
    params.push(filter.flag)
  }
  if (filter.inSample !== undefined) parts.push(IN_SAMPLE_SQL[filter.inSample])
  if (filter.duplicates !== undefined) {
    const dup = duplicateFilterSql(datasetId, filter.duplicates)
    parts.push(dup.sql)
    params.push(...dup.params)
  }
  // The odd-images queue as a condition: the grid's own queue view is the head of its kept order
  // (scoredPages.ts); this serves a list of faces or the duplicates queue narrowed to it.
  if (filter.odd) {
    parts.push(`s.id IN ${ODD_IDS_SQL}`)
    params.push(datasetId)
  }
  const scores = !!filter.flaggedOnly || filter.predictedLabel !== undefined || filter.inSample !== undefined
  return {
    sql: parts.map((p) => ` AND ${p}`).join(''),
    params,
    scores,
    from: filter.sampleIds !== undefined ? 'json_each(?) pick CROSS JOIN samples s ON s.id = pick.value' : 'samples s'
  }
}

/** `review_scores r` joined to `samples s` where the filter reads it. */
export function scoresJoin(where: { scores: boolean }): string {
  return where.scores ? ' LEFT JOIN review_scores r ON r.sample_id = s.id' : ''
}
