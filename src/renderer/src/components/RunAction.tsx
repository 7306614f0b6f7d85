import { eta, runScope } from '../runScope'
import { useInference } from '../useInference'
import { useReview } from '../useReview'

/**
 * The Run button and the run's progress, pinned to the bottom of the sidebar (sticky, the
 * sidebar's last child): in view at 1440×900 whatever the filters and the review panel above take,
 * without scrolling the settings into view. The settings and the run's details are in RunPanel.
 */
export function RunAction(): React.JSX.Element | null {
  const dataset = useReview((s) => s.dataset)
  const filter = useReview((s) => s.filter)
  const models = useInference((s) => s.models)
  const job = useInference((s) => s.job)
  const start = useInference((s) => s.start)
  const cancel = useInference((s) => s.cancel)
  if (!dataset) return null
  const usable = models.some((m) => m.problems.length === 0)
  const scope = runScope(dataset, filter)
  const running = job && !job.finishedAt
  const todo = job ? job.total - job.alreadyDone : 0
  const fraction = job && todo > 0 ? job.done / todo : job?.state === 'done' ? 1 : 0

  return (
    <div className="run-action">
      {running ? (
        <button onClick={() => void cancel()}>Cancel run</button>
      ) : (
        <button onClick={() => void start(dataset.id, scope.split, scope.images)} disabled={!usable || scope.images === 0}>
          {scope.label}
        </button>
      )}
      {job && (
        <div className="run-status" data-testid="run-status">
          <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={todo} aria-valuenow={job.done}>
            <div className="bar" style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
          </div>
          <p>
            {job.state === 'starting' && 'Loading the model…'}
            {job.state === 'running' &&
              `${job.done.toLocaleString()} / ${todo.toLocaleString()} · ${job.imagesPerSecond} img/s · ETA ${eta(job.etaSeconds)}`}
            {job.state === 'done' &&
              `Done: ${job.done.toLocaleString()} new, ${job.alreadyDone.toLocaleString()} already had results`}
            {job.state === 'cancelled' && `Cancelled after ${job.done.toLocaleString()} images (kept)`}
            {job.state === 'failed' && `Failed: ${job.message}`}
          </p>
        </div>
      )}
    </div>
  )
}
