import { useReview } from '../useReview'

const PHASES = { listing: 'Listing files', reading: 'Reading images', saving: 'Saving', done: 'Done' }

export function ScanProgressBar(): React.JSX.Element | null {
  const scan = useReview((s) => s.scan)
  if (!scan) return null
  const fraction = scan.total > 0 ? scan.done / scan.total : 0
  return (
    <div className="scan-progress" role="progressbar" aria-valuemin={0} aria-valuemax={scan.total} aria-valuenow={scan.done}>
      <div className="bar" style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      <span>
        {PHASES[scan.phase]} {scan.total > 0 ? `${scan.done.toLocaleString()} / ${scan.total.toLocaleString()}` : ''} —{' '}
        {scan.root}
      </span>
    </div>
  )
}
