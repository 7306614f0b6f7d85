import type { SamplePrediction } from '@shared/inference'
import type { Label } from '@shared/emotions'
import { labelColour } from '../../labels'

/**
 * The model's class probabilities, one bar per class, with the sample's label and the ranking's
 * suggestion marked so a researcher sees at a glance where they part.
 */
export function ProbabilityBars({
  prediction,
  label,
  suggested
}: {
  prediction: SamplePrediction
  label: Label | null
  suggested: Label | null
}): React.JSX.Element {
  return (
    <div className="prediction" data-testid="prediction">
      <h3>
        Model says <strong>{prediction.predictedLabel}</strong> ({(prediction.confidence * 100).toFixed(0)} %)
      </h3>
      <ul className="probabilities">
        {prediction.classes.map((c, i) => (
          <li key={c} className={`${c === label ? 'is-label' : ''}${c === suggested ? ' is-suggested' : ''}`}>
            <span className="name" title={c === label ? 'the current label' : c === suggested ? 'suggested' : undefined}>
              {c === label ? '● ' : c === suggested ? '→ ' : ''}
              {c}
            </span>
            <span className="track">
              <span
                className="bar"
                style={{ width: `${(prediction.probabilities[i] * 100).toFixed(1)}%`, background: labelColour(c) }}
              />
            </span>
            <span className="value">{(prediction.probabilities[i] * 100).toFixed(1)}</span>
          </li>
        ))}
      </ul>
      <p className="muted small">● current label · → suggested</p>
    </div>
  )
}
