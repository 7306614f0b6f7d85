import { memo, useRef } from 'react'
import type { Sample } from '@shared/types'
import { labelColour, labelShort } from '../labels'
import { marksOf } from '../markIcons'
import { DuplicateBadge } from './DuplicateBadge'
import { useReview, useReviewStore } from '../useReview'

interface TileProps {
  index: number
  sample: Sample | undefined
  top: number
  left: number
  /** false while the grid flings (../fling.ts): a tile coming into view then shows no thumbnail yet. */
  showThumbnail: boolean
}

export const Tile = memo(function Tile({ index, sample, top, left, showThumbnail }: TileProps): React.JSX.Element {
  const store = useReviewStore()
  // A thumbnail once shown stays while the grid flings past it: the sample it was shown for.
  const thumbnailOf = useRef<number | null>(null)
  if (sample && showThumbnail) thumbnailOf.current = sample.id
  const withThumbnail = sample !== undefined && thumbnailOf.current === sample.id
  const isCursor = useReview((s) => s.cursor === index)
  const isSelected = useReview((s) => (sample ? s.selected.has(sample.id) : false))
  const similarity = useReview((s) => (sample ? s.subset?.similarity.get(sample.id) : undefined))
  const style = { transform: `translate(${left}px, ${top}px)` }
  if (!sample) return <div className="tile loading" style={style} />
  const changed = sample.currentLabel !== sample.originalLabel
  const review = sample.review
  const marks = marksOf(sample.marks)
  return (
    <div
      className={`tile${isCursor ? ' cursor' : ''}${isSelected ? ' selected' : ''}${withThumbnail ? '' : ' held-back'}`}
      style={style}
      data-sample-id={sample.id}
      data-label={sample.currentLabel ?? ''}
      title={sample.relPath}
      onClick={(e) => store.getState().select(index, e.shiftKey ? 'range' : e.ctrlKey || e.metaKey ? 'toggle' : 'replace')}
    >
      {withThumbnail && (
        <img src={store.getState().client.imageUrl('thumb', sample.id)} alt={sample.relPath} decoding="async" draggable={false} />
      )}
      <span className="badge" style={{ background: labelColour(sample.currentLabel) }}>
        {labelShort(sample.currentLabel)}
      </span>
      {similarity !== undefined && (
        <span className="similarity" data-testid="similarity" title="Cosine similarity of the embeddings">
          {similarity.toFixed(2)}
        </span>
      )}
      {changed && (
        <span className="changed" title={`was ${sample.originalLabel ?? 'unlabelled'}`}>
          ●
        </span>
      )}
      {review?.flagged && !review.reviewed && <span className="issue-mark" title="Likely wrong label (confident learning)" />}
      {review?.outOfSample === false && (
        // The model trained on this face: its score says little, so the tile says so where the score is read.
        <span className="in-sample-mark" title="In-sample: the model trained on this image, so its scores are overconfident">
          train
        </span>
      )}
      {marks.length > 0 ? (
        <span className="marks" data-testid="tile-marks">
          {marks.map((m) => (
            // The glyph is decoration; the label is what a screen reader says.
            <span key={m.flag} className={`mark mark-${m.flag}`} data-mark={m.flag} title={m.name} aria-label={m.name} role="img">
              {m.icon}
            </span>
          ))}
        </span>
      ) : (
        // Reviewed by a relabel alone: a plain tick, unlike the coloured keep mark.
        review?.reviewed && (
          <span className="reviewed-mark" title="Reviewed" aria-label="Reviewed" role="img">
            ✓
          </span>
        )
      )}
      {sample.duplicate && <DuplicateBadge duplicate={sample.duplicate} />}
      {review?.suggestedLabel && review.suggestedLabel !== sample.currentLabel && (
        <span
          className="suggestion"
          style={{ background: labelColour(review.suggestedLabel) }}
          title={`suggested: ${review.suggestedLabel}`}
        >
          →{labelShort(review.suggestedLabel)}
        </span>
      )}
    </div>
  )
})
