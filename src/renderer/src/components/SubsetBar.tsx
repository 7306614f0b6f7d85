import { useReview, useReviewStore } from '../useReview'

/** Above a "more like this" or lasso grid: what it shows, and the way back (also Esc). */
export function SubsetBar(): React.JSX.Element | null {
  const subset = useReview((s) => s.subset)
  const store = useReviewStore()
  if (!subset) return null
  return (
    <div className="subset-bar" data-testid="subset-bar" role="status">
      <span>{subset.title}</span>
      <button onClick={() => void store.getState().leaveSubset()} title="Esc">
        ← Back
      </button>
    </div>
  )
}
