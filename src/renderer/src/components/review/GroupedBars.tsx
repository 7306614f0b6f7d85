import { labelShort } from '../../labels'

export interface Series {
  name: string
  colour: string
  values: (number | null)[]
}

const HEIGHT = 150
const AXIS = 22
const TOP = 14

/**
 * A grouped bar chart in plain SVG: one group per class, one bar per series. `max` fixes the
 * scale (1 for shares), else the largest value. Missing values (null) leave a gap, not a zero.
 */
export function GroupedBars({
  groups,
  series,
  max,
  format,
  label
}: {
  groups: string[]
  series: Series[]
  max?: number
  format: (v: number) => string
  label: string
}): React.JSX.Element {
  const top = max ?? Math.max(1, ...series.flatMap((s) => s.values.map((v) => v ?? 0)))
  const bar = 14
  // Drawn at its natural size (1 unit = 1 px): scaling the SVG to the pane would blow the text up.
  const groupWidth = Math.max(series.length * bar + 18, 56)
  const width = Math.max(groups.length * groupWidth + 8, 240)
  const y = (v: number): number => TOP + (HEIGHT - TOP) * (1 - v / top)
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${HEIGHT + AXIS}`} width={width} height={HEIGHT + AXIS} role="img" aria-label={label}>
        <line x1={0} x2={width} y1={HEIGHT} y2={HEIGHT} className="axis" />
        {groups.map((g, gi) => (
          <g key={g} transform={`translate(${gi * groupWidth + 4 + (groupWidth - series.length * bar) / 2}, 0)`}>
            {series.map((s, si) => {
              const v = s.values[gi]
              if (v === null) return null
              return (
                <g key={s.name}>
                  <rect x={si * bar} y={y(v)} width={bar - 2} height={HEIGHT - y(v)} fill={s.colour}>
                    <title>{`${g}, ${s.name}: ${format(v)}`}</title>
                  </rect>
                  {series.length <= 3 && (
                    <text x={si * bar + (bar - 2) / 2} y={y(v) - 3} className="value" textAnchor="middle">
                      {format(v)}
                    </text>
                  )}
                </g>
              )
            })}
            <text x={(series.length * bar) / 2} y={HEIGHT + 15} textAnchor="middle" className="group">
              <title>{g}</title>
              {labelShort(g)}
            </text>
          </g>
        ))}
      </svg>
      <figcaption>
        {series.map((s) => (
          <span key={s.name} className="legend">
            <span className="swatch" style={{ background: s.colour }} />
            {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  )
}
