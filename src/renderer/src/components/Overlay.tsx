import type { ReactNode } from 'react'
import { useReviewStore } from '../useReview'

export function Overlay({ title, children }: { title: string; children: ReactNode }): React.JSX.Element {
  const store = useReviewStore()
  return (
    <div className="overlay" role="dialog" aria-label={title} onClick={() => store.getState().setOverlay(null)}>
      <div className="overlay-body" onClick={(e) => e.stopPropagation()}>
        <header>
          <h2>{title}</h2>
          <button className="link" onClick={() => store.getState().setOverlay(null)} aria-label="Close">
            ×
          </button>
        </header>
        {children}
      </div>
    </div>
  )
}
