import type { ReviewMetrics } from '@shared/types'
import { labelShort } from '../../labels'
import { useReview, useReviewStore } from '../../useReview'
import { GroupedBars } from './GroupedBars'

const share = (v: number): string => `${Math.round(v * 100)}`
const count = (v: number): string => (v >= 10_000 ? `${Math.round(v / 1000)}k` : v.toLocaleString())

/**
 * Current labels against the model's predictions. A cell is a button: it filters the grid to the
 * samples labelled as its row and predicted as its column. Shading is by row share, so a class
 * with few samples is as readable as a large one.
 */
function ConfusionMatrix({ confusion }: { confusion: ReviewMetrics['confusion'] }): React.JSX.Element {
  const store = useReviewStore()
  const { rows, columns, counts } = confusion
  return (
    <div className="confusion-wrap">
      <table className="confusion" aria-label="Confusion matrix" data-testid="confusion">
        <thead>
          <tr>
            <th className="corner">label ↓ · predicted →</th>
            {columns.map((c) => (
              <th key={c} title={c}>
                {labelShort(c)}
              </th>
            ))}
            <th title="Samples with this label">n</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, ri) => {
            const total = counts[ri].reduce((a, b) => a + b, 0)
            return (
              <tr key={r}>
                <th title={r}>{r}</th>
                {columns.map((c, ci) => {
                  const n = counts[ri][ci]
                  const s = total ? n / total : 0
                  const diagonal = r === c
                  return (
                    <td key={c}>
                      <button
                        className={`cell${diagonal ? ' diagonal' : ''}`}
                        style={{
                          background: `rgba(${diagonal ? '76, 175, 120' : '224, 72, 62'}, ${(0.08 + 0.85 * s).toFixed(3)})`
                        }}
                        disabled={n === 0}
                        data-testid={`cell-${r}-${c}`}
                        aria-label={`${n} labelled ${r}, predicted ${c}`}
                        title={`${n.toLocaleString()} labelled ${r}, predicted ${c} (${share(s)} % of ${r}). Click to show them.`}
                        onClick={() => store.getState().showCell(r, c)}
                      >
                        {n > 0 ? count(n) : ''}
                      </button>
                    </td>
                  )
                })}
                <td className="muted">{count(total)}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

/** Confusion matrix, per-class agreement and class distribution, refreshed as labels change. */
export function MetricsView(): React.JSX.Element {
  const metrics = useReview((s) => s.metrics)
  const changed = useReview((s) => s.dataset?.changedCount ?? 0)
  if (!metrics) return <p className="empty">Loading metrics…</p>
  const { ranking, progress, confusion, perClass, distribution } = metrics
  const shown = perClass.filter((c) => c.support > 0 || c.predicted > 0)
  return (
    <div className="metrics" data-testid="metrics">
      <section>
        <h2>Labels against predictions</h2>
        {ranking ? (
          <p className="muted">
            {ranking.modelId} · {ranking.scored.toLocaleString()} labels judged · {ranking.flagged.toLocaleString()} flagged,{' '}
            {progress.reviewed.toLocaleString()} reviewed · {changed.toLocaleString()} {changed === 1 ? 'label' : 'labels'}{' '}
            changed so far. Rows: current labels; columns: the model’s class. Click a cell to see its samples.
          </p>
        ) : (
          <p className="muted">No predictions yet: run the model to see how the labels and the model agree.</p>
        )}
        {confusion.rows.length > 0 && <ConfusionMatrix confusion={confusion} />}
      </section>
      {shown.length > 0 && (
        <section>
          <h2>Per class: precision and recall of the model against the current labels (%)</h2>
          <GroupedBars
            label="Per-class precision and recall"
            groups={shown.map((c) => c.label)}
            series={[
              { name: 'precision', colour: '#4f8cff', values: shown.map((c) => c.precision) },
              { name: 'recall', colour: '#f2b01e', values: shown.map((c) => c.recall) }
            ]}
            max={1}
            format={share}
          />
        </section>
      )}
      <section>
        <h2>Class distribution before and after cleaning</h2>
        <p className="muted" data-testid="cleaned-note">
          “Cleaned” counts what Export labels… writes as the cleaned CSV or ImageFolder tree: every labelled face except those
          marked exclude (X) or not a face (N).
        </p>
        <GroupedBars
          label="Class distribution"
          groups={distribution.map((d) => d.label)}
          series={[
            { name: 'original labels', colour: '#8a8f98', values: distribution.map((d) => d.original) },
            { name: 'current labels', colour: '#4f8cff', values: distribution.map((d) => d.current) },
            { name: 'cleaned (without excluded and not-a-face)', colour: '#4caf78', values: distribution.map((d) => d.cleaned) }
          ]}
          format={count}
        />
      </section>
    </div>
  )
}
