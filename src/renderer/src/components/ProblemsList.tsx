import { useReview } from '../useReview'
import { Overlay } from './Overlay'

export function ProblemsList(): React.JSX.Element {
  const problems = useReview((s) => s.problems)
  return (
    <Overlay title="Files that could not be used">
      <p className="muted">These files were skipped; everything else opened normally. Nothing was changed on disk.</p>
      <ul className="problems">
        {problems.map((p, i) => (
          <li key={`${p.relPath}:${p.line ?? ''}:${i}`} className={p.kind}>
            <code>{p.relPath}</code>: {p.reason}
          </li>
        ))}
      </ul>
    </Overlay>
  )
}
