import { useEffect, useState } from 'react'
import { EMOTIONS } from '@shared/emotions'
import type { SampleDetail } from '@shared/types'
import { labelColour } from '../labels'
import { PredictionView } from './PredictionView'
import { useReview, useReviewStore } from '../useReview'

/** The sample under the cursor: full image, where it came from, its labels and their history. */
export function DetailPanel(): React.JSX.Element {
  const store = useReviewStore()
  const sample = useReview((s) => s.sampleAt(s.cursor))
  const selectedCount = useReview((s) => s.selected.size)
  const generation = useReview((s) => s.generation)
  const [detail, setDetail] = useState<SampleDetail | null>(null)
  const { client, labelSelection } = store.getState()

  useEffect(() => {
    if (!sample) return setDetail(null)
    let live = true
    client.call('getSample', { sampleId: sample.id }).then(
      (d) => live && setDetail(d),
      () => live && setDetail(null)
    )
    return () => {
      live = false
    }
  }, [client, sample?.id, generation]) // eslint-disable-line react-hooks/exhaustive-deps

  if (!sample) return <aside className="detail muted">Select an image.</aside>
  return (
    <aside className="detail" aria-label="Sample detail" data-testid="detail">
      <img className="full" src={client.imageUrl('full', sample.id)} alt={sample.relPath} />
      <dl>
        <dt>File</dt>
        <dd className="path">{sample.relPath}</dd>
        <dt>Split</dt>
        <dd>{sample.split ?? '—'}</dd>
        <dt>Original label</dt>
        <dd>{sample.originalLabel ?? 'unlabelled'}</dd>
        <dt>Current label</dt>
        <dd data-testid="current-label">{sample.currentLabel ?? 'unlabelled'}</dd>
      </dl>
      {selectedCount > 1 && <p className="muted">{selectedCount} selected: a label key sets all of them.</p>}
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
      <PredictionView sampleId={sample.id} />
      {detail && detail.history.length > 0 && (
        <>
          <h3>History</h3>
          <ol className="history">
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
