import { FERPLUS_COLUMNS } from '@shared/formats/ferplusVotes'
import type { SampleSource } from '@shared/types'
import { labelColour } from '../../labels'

/** The dataset's own annotations where it has several per image: FERPlus's ten annotator votes. */
export function VotesChart({ source }: { source: SampleSource | null | undefined }): React.JSX.Element | null {
  const votes = source?.extras?.votes
  if (!Array.isArray(votes) || votes.length !== FERPLUS_COLUMNS.length || !votes.every((v) => typeof v === 'number')) return null
  const total = (votes as number[]).reduce((a, b) => a + b, 0)
  const max = Math.max(1, ...(votes as number[]))
  return (
    <section className="votes" aria-label="Annotator votes" data-testid="votes">
      <h3>
        Annotator votes <span className="muted">({total}, FERPlus)</span>
      </h3>
      <ul>
        {FERPLUS_COLUMNS.map((name, i) => (
          <li key={name} className={(votes[i] as number) === 0 ? 'zero' : ''}>
            <span className="name">{name === 'NF' ? 'not a face' : name}</span>
            <span className="track">
              <span
                className="bar"
                style={{ width: `${(((votes[i] as number) / max) * 100).toFixed(0)}%`, background: labelColour(name) }}
              />
            </span>
            <span className="value">{votes[i] as number}</span>
          </li>
        ))}
      </ul>
      {source?.excluded && <p className="muted small">No label: {source.excluded}</p>}
    </section>
  )
}
