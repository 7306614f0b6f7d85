import { useEffect, useState } from 'react'
import type { SamplePrediction } from '@shared/inference'
import type { SampleDetail, SampleReview } from '@shared/types'
import { useReview } from './useReview'

export interface SampleData {
  detail: SampleDetail | null
  review: SampleReview | null
  prediction: SamplePrediction | null
}

const EMPTY: SampleData = { detail: null, review: null, prediction: null }

/**
 * Everything the detail panel shows about one sample, fetched together and re-read whenever the
 * grid's data (labels) or a review decision (flags, notes) may have changed it. Answers for a
 * sample the cursor has already left are dropped.
 */
export function useSampleData(sampleId: number | undefined): SampleData {
  const client = useReview((s) => s.client)
  const generation = useReview((s) => s.generation)
  const reviewVersion = useReview((s) => s.reviewVersion)
  const [data, setData] = useState<SampleData & { id?: number }>(EMPTY)

  useEffect(() => {
    if (sampleId === undefined) return setData(EMPTY)
    let live = true
    const orNull = <T>(p: Promise<T>): Promise<T | null> => p.catch(() => null)
    void Promise.all([
      orNull(client.call('getSample', { sampleId })),
      orNull(client.call('getSampleReview', { sampleId })),
      orNull(client.call('getPrediction', { sampleId }))
    ]).then(([detail, review, prediction]) => {
      if (live) setData({ id: sampleId, detail, review, prediction })
    })
    return () => {
      live = false
    }
  }, [client, sampleId, generation, reviewVersion])

  return data.id === sampleId ? data : EMPTY
}
