import { useReview, useReviewStore } from '../useReview'

const PHASES = {
  listing: 'Listing files',
  reading: 'Reading images',
  saving: 'Saving',
  fingerprinting: 'Looking for duplicates',
  comparing: 'Comparing faces for near duplicates',
  done: 'Done'
}

/**
 * A scan in progress, as a real <progress> bar: indeterminate while files are still being listed
 * (the total is not known yet), then filling as images are read. It replaced a line of text over a
 * faint band that read as no progress at all.
 */
export function ScanProgressBar(): React.JSX.Element | null {
  const store = useReviewStore()
  const scan = useReview((s) => s.scan)
  if (!scan) return null
  const counted = scan.total > 0
  const label = `${PHASES[scan.phase]} of ${scan.root}`
  return (
    <div className="scan-progress" data-testid="scan-progress">
      {/* No value while listing: the browser draws an indeterminate bar. */}
      <progress aria-label={label} max={counted ? scan.total : undefined} value={counted ? scan.done : undefined} />
      <span className="scan-phase">{PHASES[scan.phase]}</span>
      {counted && (
        <span className="scan-count">
          {scan.done.toLocaleString()} / {scan.total.toLocaleString()}
        </span>
      )}
      <span className="scan-root muted" title={scan.root}>
        {scan.root}
      </span>
      <button
        className="link"
        onClick={() => {
          const { client, notify } = store.getState()
          client.call('cancelScan', { root: scan.root }).catch((err: Error) => notify({ kind: 'error', text: err.message }))
        }}
      >
        Cancel
      </button>
    </div>
  )
}
