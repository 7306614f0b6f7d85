import { EMOTIONS } from '@shared/emotions'
import { labelColour } from '../labels'
import { useReview, useReviewStore } from '../useReview'
import { useSampleData } from '../useSampleData'
import { CompareView } from './review/CompareView'
import { IssueCard } from './review/IssueCard'
import { ProbabilityBars } from './review/ProbabilityBars'
import { ReviewControls } from './review/ReviewControls'
import { VotesChart } from './review/VotesChart'

/**
 * The sample under the cursor: the face beside what PF-ViT made of it, the ranking's verdict on
 * its label, the model's probabilities, the dataset's own votes, the labels with their history,
 * and the review flags and note.
 */
export function DetailPanel(): React.JSX.Element {
  const store = useReviewStore()
  const sample = useReview((s) => s.sampleAt(s.cursor))
  const selectedCount = useReview((s) => s.selected.size)
  const { detail, review, prediction } = useSampleData(sample?.id)
  const { labelSelection } = store.getState()

  if (!sample) return <aside className="detail muted">Select an image.</aside>
  const suggested = review?.issue?.suggestedLabel ?? null
  return (
    <aside className="detail" aria-label="Sample detail" data-testid="detail">
      <CompareView sampleId={sample.id} prediction={prediction} />
      {selectedCount > 1 && (
        <p className="muted small" data-testid="selection-note">
          {selectedCount} selected: label keys, Accept, Keep and the flags act on all of them.
        </p>
      )}
      <IssueCard review={review} currentLabel={sample.currentLabel} />
      {prediction?.error && <p className="notice error">The model could not read this image: {prediction.error}</p>}
      {prediction && !prediction.error && (
        <ProbabilityBars prediction={prediction} label={sample.currentLabel} suggested={suggested} />
      )}
      {!prediction && <p className="muted small">No prediction yet: run the model.</p>}
      <VotesChart source={detail?.source} />
      <dl className="facts">
        <dt>File</dt>
        <dd className="path">{sample.relPath}</dd>
        {detail?.photo && (
          <>
            <dt>From photo</dt>
            <dd className="path" data-testid="from-photo">
              {detail.photo.photo} · face {detail.photo.face} · score {detail.photo.score.toFixed(2)}
            </dd>
          </>
        )}
        <dt>Split</dt>
        <dd>{sample.split ?? '—'}</dd>
        <dt>Original label</dt>
        <dd>{sample.originalLabel ?? 'unlabelled'}</dd>
        <dt>Current label</dt>
        <dd data-testid="current-label">{sample.currentLabel ?? 'unlabelled'}</dd>
      </dl>
      <div className="label-buttons">
        {EMOTIONS.map((e, i) => (
          <button
            key={e}
            className={sample.currentLabel === e ? 'active' : ''}
            style={{ borderColor: labelColour(e) }}
            onClick={() => void labelSelection(e)}
            title={`Key ${i + 1}`}
          >
            {i + 1} {e}
          </button>
        ))}
      </div>
      <ReviewControls sampleId={sample.id} review={review} />
      <button className="more-like-this" onClick={() => void store.getState().moreLikeThis()} title="Key S">
        More like this
      </button>
      {detail && detail.history.length > 0 && (
        <>
          <h3>History</h3>
          <ol className="history" data-testid="history">
            {detail.history.map((h) => (
              <li key={h.id}>
                {new Date(h.at).toLocaleString()}: {h.oldLabel ?? 'unlabelled'} → {h.newLabel ?? 'unlabelled'}{' '}
                <span className="muted">({h.source})</span>
              </li>
            ))}
          </ol>
        </>
      )}
    </aside>
  )
}
