import type { Split } from '@shared/splits'
import type { DatasetSummary, SampleFilter } from '@shared/types'

/**
 * Said beside the progress when the run computes fewer images than the button promised: identical
 * files (same content) are computed once, and "0 / 599" under "Run on 600 images" read like a lost face.
 */
export function duplicatesNote(job: { total: number }, startedWith: number | null): string | null {
  if (startedWith === null || job.total >= startedWith) return null
  const merged = startedWith - job.total
  return (
    `${startedWith.toLocaleString()} images, ${job.total.toLocaleString()} distinct: ` +
    `${merged.toLocaleString()} identical ${merged === 1 ? 'copy is' : 'copies are'} computed once and share the result`
  )
}

export function eta(seconds: number | null): string {
  if (seconds === null) return '–'
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`
}

/**
 * What the Run button runs on: the split the grid is filtered to, else the whole dataset. A
 * researcher looking at Valid wants Valid's 3,579 faces scored, not all 35,710.
 */
export function runScope(
  dataset: Pick<DatasetSummary, 'sampleCount' | 'splitCounts'>,
  filter: Pick<SampleFilter, 'split'>
): { split?: Split; images: number; label: string } {
  const split = filter.split ?? undefined
  const images = split ? (dataset.splitCounts[split] ?? 0) : dataset.sampleCount
  return { split, images, label: `Run on ${images.toLocaleString()} images${split ? ` (${split})` : ''}` }
}
