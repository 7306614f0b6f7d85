import { useReview, useReviewStore } from '../../useReview'

/** Actions on a multi-selection; every one is a single step (one undo for labels). */
export function BulkBar(): React.JSX.Element | null {
  const store = useReviewStore()
  const count = useReview((s) => s.selected.size)
  if (count < 2) return null
  const { acceptSuggestion, toggleFlag } = store.getState()
  return (
    <div className="bulk-bar" role="toolbar" aria-label="Selection actions" data-testid="bulk-bar">
      <span>{count.toLocaleString()} selected</span>
      <button onClick={() => void acceptSuggestion()} title="Enter: each sample gets its own suggestion">
        Accept suggestions
      </button>
      <button onClick={() => void toggleFlag('keep', true)}>Keep labels</button>
      <button onClick={() => void toggleFlag('not_a_face', true)}>Not a face</button>
      <button onClick={() => void toggleFlag('ambiguous', true)}>Ambiguous</button>
      <button onClick={() => void toggleFlag('exclude', true)}>Exclude</button>
      <span className="muted small">or a label key 1–8</span>
      <button className="link" onClick={() => store.setState({ selected: new Set() })}>
        Clear selection
      </button>
    </div>
  )
}
