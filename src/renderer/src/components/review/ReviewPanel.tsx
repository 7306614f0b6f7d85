import type { ReviewFlag, SampleSortKey } from '@shared/types'
import { MARKS } from '../../markIcons'
import { useReview, useReviewStore } from '../../useReview'

// "Most likely wrong" is lowest self-confidence (the best measured, src/main/review/ranking.ts), so
// self-confidence is not listed twice; the others stay selectable.
const SORTS: { by: SampleSortKey; name: string }[] = [
  { by: 'path', name: 'File path' },
  { by: 'likelyWrong', name: 'Most likely wrong (lowest self-confidence)' },
  { by: 'margin', name: 'Lowest margin' },
  { by: 'combined', name: 'Margin + poker-face mismatch' },
  { by: 'intensityMismatch', name: 'Poker-face mismatch (PF-ViT)' },
  { by: 'odd', name: 'Odd images (not a usable face)' }
]

/** Says where the scores come from, and warns where they are not out-of-sample. */
function OutOfSample(): React.JSX.Element | null {
  const ranking = useReview((s) => s.metrics?.ranking)
  if (!ranking) return null
  const { out, in: inside, unknown } = ranking.outOfSample
  return (
    <div className={inside + unknown > 0 ? 'warning small' : 'muted small'} data-testid="out-of-sample">
      <p>
        {out.toLocaleString()} of {ranking.scored.toLocaleString()} scores out-of-sample
        {inside > 0 && `, ${inside.toLocaleString()} in-sample`}
        {unknown > 0 && `, ${unknown.toLocaleString()} unknown`}. {ranking.overlap}
      </p>
      {inside > 0 && (
        <p>
          Filter the split the model did not train on, or rank with a model trained elsewhere (see README, “Finding wrong
          labels”).
        </p>
      )}
    </div>
  )
}

/** Ranking, order, review filters and progress: the sidebar of label-issue review. */
export function ReviewPanel(): React.JSX.Element | null {
  const store = useReviewStore()
  const dataset = useReview((s) => s.dataset)
  const sort = useReview((s) => s.sort)
  const filter = useReview((s) => s.filter)
  const metrics = useReview((s) => s.metrics)
  const { setSort, setFilter, rank } = store.getState()
  if (!dataset) return null
  const ranking = metrics?.ranking ?? null
  const progress = metrics?.progress
  const share = progress && progress.flagged > 0 ? progress.reviewed / progress.flagged : 0

  return (
    <section className="review-panel" aria-label="Label issues">
      <h3>Label issues</h3>
      {ranking ? (
        <>
          <div
            className="progress"
            role="progressbar"
            aria-label="Review progress"
            aria-valuemin={0}
            aria-valuemax={progress?.flagged ?? 0}
            aria-valuenow={progress?.reviewed ?? 0}
          >
            <div className="bar" style={{ width: `${(share * 100).toFixed(1)}%` }} />
          </div>
          <p data-testid="review-progress">
            {(progress?.reviewed ?? 0).toLocaleString()} of {(progress?.flagged ?? 0).toLocaleString()} flagged reviewed
          </p>
          <p className="muted small">
            Ranked with {ranking.modelId}, {new Date(ranking.rankedAt).toLocaleString()}.{' '}
            <button className="link" onClick={() => void rank()}>
              Rank again
            </button>
          </p>
          <OutOfSample />
        </>
      ) : (
        <p className="muted small">
          Run the model to rank labels by how likely they are wrong.{' '}
          <button className="link" onClick={() => void rank()}>
            Rank with stored predictions
          </button>
        </p>
      )}
      <label>
        Sort by
        <select value={sort.by} onChange={(e) => setSort({ by: e.target.value as SampleSortKey })}>
          {SORTS.map((s) => (
            <option key={s.by} value={s.by} disabled={s.by !== 'path' && !ranking}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={!!filter.flaggedOnly}
          disabled={!ranking}
          onChange={(e) => setFilter({ flaggedOnly: e.target.checked })}
        />
        Flagged only
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={filter.reviewed === false}
          onChange={(e) => setFilter({ reviewed: e.target.checked ? false : undefined })}
        />
        Not reviewed yet
      </label>
      <label>
        Predicted
        <select
          value={filter.predictedLabel ?? ''}
          disabled={!ranking}
          onChange={(e) => setFilter({ predictedLabel: e.target.value || undefined })}
        >
          <option value="">any</option>
          {(ranking?.classes ?? []).map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <label>
        Marked
        <select
          value={filter.flag ?? ''}
          onChange={(e) => setFilter({ flag: (e.target.value || undefined) as ReviewFlag | undefined })}
        >
          <option value="">any</option>
          {MARKS.map((m) => (
            // The same glyph as on the tiles, so the filter reads like the grid.
            <option key={m.flag} value={m.flag}>
              {m.icon} {m.name}
            </option>
          ))}
        </select>
      </label>
    </section>
  )
}
