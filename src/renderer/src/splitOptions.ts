import { SPLITS, type Split } from '@shared/splits'
import type { DatasetSummary } from '@shared/types'

export interface SplitOption {
  split: Split
  count: number
}

/**
 * The splits the Split filter offers: only those the dataset has, with how many faces each holds.
 * A folder without split folders offers none (listing train/valid/test there only led to empty grids).
 */
export function splitOptions(dataset: Pick<DatasetSummary, 'sampleCount' | 'splitCounts'> | null): {
  splits: SplitOption[]
  /** Faces in no split: offered as "none" only beside real splits, where it separates something. */
  unsplit: number
} {
  if (!dataset) return { splits: [], unsplit: 0 }
  const splits = SPLITS.flatMap((split) => {
    const count = dataset.splitCounts[split] ?? 0
    return count > 0 ? [{ split, count }] : []
  })
  const inSplits = splits.reduce((n, s) => n + s.count, 0)
  return { splits, unsplit: splits.length > 0 ? dataset.sampleCount - inSplits : 0 }
}
