import { useEffect, useRef, useState } from 'react'
import type { ReviewFlag, SampleReview } from '@shared/types'
import { useReview, useReviewStore } from '../../useReview'

const FLAGS: { flag: Exclude<ReviewFlag, 'keep'>; name: string; key: string }[] = [
  { flag: 'not_a_face', name: 'Not a face', key: 'N' },
  { flag: 'ambiguous', name: 'Ambiguous', key: 'U' },
  { flag: 'exclude', name: 'Exclude', key: 'X' }
]

const SAVE_AFTER_MS = 600

/** Review flags and the sample's note. The note saves as you pause typing, and when you leave it. */
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
      <div className="flag-buttons">
        {FLAGS.map(({ flag, name, key }) => {
          const on = !!review?.flags.includes(flag)
          return (
            <button
              key={flag}
              className={on ? 'active' : ''}
              aria-pressed={on}
              onClick={() => void toggleFlag(flag)}
              title={`Key ${key}`}
            >
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
