import { useEffect, useRef, useState } from 'react'
import type { SampleReview } from '@shared/types'
import { MARKS } from '../../markIcons'
import { useReview, useReviewStore } from '../../useReview'

const SAVE_AFTER_MS = 600

/** Review marks and the sample's note. The note saves as you pause typing, and when you leave it. */
export function ReviewControls({ sampleId, review }: { sampleId: number; review: SampleReview | null }): React.JSX.Element {
  const store = useReviewStore()
  const noteFocus = useReview((s) => s.noteFocus)
  const { toggleFlag, saveNote } = store.getState()
  const [note, setNote] = useState(review?.note ?? '')
  const saved = useRef(review?.note ?? '')
  const field = useRef<HTMLTextAreaElement>(null)

  // A different sample, or the same one re-read: show what is stored.
  useEffect(() => {
    setNote(review?.note ?? '')
    saved.current = review?.note ?? ''
  }, [sampleId, review?.note])

  useEffect(() => {
    if (note === saved.current) return
    const timer = setTimeout(() => {
      saved.current = note
      void saveNote(sampleId, note)
    }, SAVE_AFTER_MS)
    return () => clearTimeout(timer)
  }, [note, sampleId, saveNote])

  useEffect(() => {
    if (noteFocus > 0) field.current?.focus()
  }, [noteFocus])

  const flush = (): void => {
    if (note !== saved.current) {
      saved.current = note
      void saveNote(sampleId, note)
    }
  }

  return (
    <section className="review-controls" aria-label="Review flags and note">
      {/* An active mark is filled in its own colour with its glyph, not a faint border. Keep sits
          in the issue card beside Accept when the sample has one, else here, so it is never shown twice. */}
      <div className="flag-buttons" role="group" aria-label="Marks">
        {MARKS.filter((m) => m.flag !== 'keep' || !review?.issue).map(({ flag, name, key, icon }) => {
          const on = !!review?.flags.includes(flag)
          return (
            <button
              key={flag}
              className={`mark-button mark-${flag}${on ? ' on' : ''}`}
              data-mark={flag}
              aria-pressed={on}
              onClick={() => void toggleFlag(flag)}
              title={`${name}: key ${key}${on ? ' (marked; press again to clear)' : ''}`}
            >
              <span className="mark-icon" aria-hidden="true">
                {icon}
              </span>{' '}
              {name} <kbd>{key}</kbd>
            </button>
          )
        })}
      </div>
      <label className="note">
        Note <kbd>E</kbd>
        <textarea
          ref={field}
          aria-label="Note"
          rows={2}
          placeholder="Why this label? (saved as you type)"
          value={note}
          onChange={(e) => setNote(e.target.value)}
          onBlur={flush}
          onKeyDown={(e) => {
            if (e.key === 'Escape') e.currentTarget.blur()
          }}
        />
      </label>
    </section>
  )
}
