import type { Label } from '@shared/emotions'
import type { LabelIssueScores, SampleReview } from '@shared/types'
import { markLook } from '../../markIcons'
import { useReviewStore } from '../../useReview'

const pct = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(0)} %`)
const num = (v: number | null, digits = 2): string => (v === null ? '–' : v.toFixed(digits))

/**
 * What the poker-face mismatch says, in words; null when it says little. The score compares how
 * often faces of this intensity are labelled neutral with how often faces are overall.
 */
function intensityNote(issue: LabelIssueScores): string | null {
  if (issue.intensityMismatch === null || issue.intensityMismatch < 0.6) return null
  return issue.givenLabel === 'neutral'
    ? 'Labelled neutral, yet faces this far from their poker face are seldom neutral in this dataset.'
    : 'An expressive label, yet faces this close to their poker face are more often neutral in this dataset.'
}

function sampleProvenance(outOfSample: boolean | null): string | null {
  if (outOfSample === true) return null
  if (outOfSample === false) return 'In-sample: the model trained on this image, so these scores are overconfident.'
  return 'Unknown whether the model trained on this image; trust the scores only if it did not.'
}

/**
 * The ranking's verdict on one sample's label: the scores, the class it suggests, and the two
 * decisions a researcher makes most — take the suggestion, or keep the label.
 */
export function IssueCard({
  review,
  currentLabel
}: {
  review: SampleReview | null
  currentLabel: Label | null
}): React.JSX.Element | null {
  const store = useReviewStore()
  const issue = review?.issue
  if (!review || !issue) return null
  const { acceptSuggestion, toggleFlag } = store.getState()
  const kept = review.flags.includes('keep')
  const stale = issue.givenLabel !== currentLabel
  const provenance = sampleProvenance(issue.outOfSample)
  const why = intensityNote(issue)
  const heading = stale
    ? `Relabelled (was ${issue.givenLabel ?? 'unlabelled'}${issue.flagged ? ', flagged' : ''})`
    : currentLabel === null
      ? 'Unlabelled face'
      : issue.score === null
        ? 'Label not judged'
        : issue.flagged
          ? 'Likely wrong label'
          : issue.suggestedLabel
            ? 'Label in doubt'
            : 'Label looks right'
  return (
    <section className={`issue${issue.flagged ? ' flagged' : ''}`} aria-label="Label issue" data-testid="issue">
      <header>
        <h3>{heading}</h3>
        {review.reviewed && (
          <span className="reviewed-badge" data-testid="reviewed">
            ✓ reviewed
          </span>
        )}
      </header>
      {issue.score !== null && (
        <div className="meter" title="Most likely wrong, 1 − self-confidence: 0 = surely right, 1 = surely wrong">
          <span style={{ width: `${(issue.score * 100).toFixed(0)}%` }} />
        </div>
      )}
      <dl className="scores">
        <dt title="1 − self-confidence: the score the grid sorts by by default">Most likely wrong</dt>
        <dd data-testid="issue-score">{num(issue.score)}</dd>
        <dt title="Probability the model gives the label">Self-confidence</dt>
        <dd>{pct(issue.selfConfidence)}</dd>
        <dt title="p(label) − highest p(other class); below 0 the model prefers another class">Margin</dt>
        <dd>{num(issue.margin)}</dd>
        <dt title="Confident learning: the class whose probability reaches that class’s threshold">Confident class</dt>
        <dd>{issue.confidentLabel ?? '–'}</dd>
        <dt title="Mean |face − poker face|: how much expression the generator removed">Expression (PF-ViT)</dt>
        <dd>
          {num(issue.intensity, 3)}
          {issue.intensityMismatch !== null && <span className="muted"> · mismatch {num(issue.intensityMismatch)}</span>}
        </dd>
      </dl>
      {why && <p className="small">{why}</p>}
      {stale && (
        <p className="muted small">Ranked when the label was {issue.givenLabel ?? 'none'}; rank again to score the new label.</p>
      )}
      {provenance && <p className="warning small">{provenance}</p>}
      <div className="issue-actions">
        {issue.suggestedLabel && issue.suggestedLabel !== currentLabel && (
          <button
            className="primary"
            onClick={() => void acceptSuggestion()}
            title={currentLabel === null ? 'The model’s class for this face (Enter or A)' : 'Enter or A'}
          >
            Accept {issue.suggestedLabel} <kbd>Enter</kbd>
          </button>
        )}
        <button
          className={`mark-button mark-keep${kept ? ' on' : ''}`}
          data-mark="keep"
          aria-pressed={kept}
          onClick={() => void toggleFlag('keep')}
          title="K"
        >
          <span className="mark-icon" aria-hidden="true">
            {markLook('keep').icon}
          </span>{' '}
          Keep {currentLabel ?? 'unlabelled'} <kbd>K</kbd>
        </button>
      </div>
    </section>
  )
}
