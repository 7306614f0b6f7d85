import { useEffect, useState } from 'react'
import type { SamplePrediction } from '@shared/inference'
import { labelColour } from '../labels'
import { useReview } from '../useReview'

/** The model's view of the selected sample: class probabilities and its poker face. */
export function PredictionView({ sampleId }: { sampleId: number }): React.JSX.Element | null {
  const client = useReview((s) => s.client)
  const generation = useReview((s) => s.generation)
  const [prediction, setPrediction] = useState<SamplePrediction | null>(null)

  useEffect(() => {
    let live = true
    client.call('getPrediction', { sampleId }).then(
      (p) => live && setPrediction(p),
      () => live && setPrediction(null)
    )
    return () => {
      live = false
    }
  }, [client, sampleId, generation])

  if (!prediction) return <p className="muted">No prediction yet: run the model.</p>
  if (prediction.error) return <p className="notice error">The model could not read this image: {prediction.error}</p>
  return (
    <div className="prediction" data-testid="prediction">
      <h3>
        Model says <strong>{prediction.predictedLabel}</strong> ({(prediction.confidence * 100).toFixed(0)} %)
      </h3>
      <ul className="probabilities">
        {prediction.classes.map((c, i) => (
          <li key={c}>
            <span className="name">{c}</span>
            <span className="bar" style={{ width: `${(prediction.probabilities[i] * 100).toFixed(1)}%`, background: labelColour(c) }} />
            <span className="value">{(prediction.probabilities[i] * 100).toFixed(1)}</span>
          </li>
        ))}
      </ul>
      {prediction.images.includes('poker_face') && (
        <div className="faces">
          <figure>
            <img src={client.modelImageUrl(prediction.modelId, 'poker_face', sampleId)} alt="poker face" />
            <figcaption>poker face</figcaption>
          </figure>
          <figure className="stack">
            <img src={client.imageUrl('full', sampleId)} alt="original" />
            <img className="overlay-map" src={client.modelImageUrl(prediction.modelId, 'emotion_map', sampleId)} alt="emotion map" />
            <figcaption>emotion map</figcaption>
          </figure>
        </div>
      )}
    </div>
  )
}
