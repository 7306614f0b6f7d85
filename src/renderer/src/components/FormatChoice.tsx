import { useEffect, useState } from 'react'
import { FERPLUS_MODES, type FormatId, type FormatOptions, type FormatSpec } from '@shared/formats/types'
import { useReviewStore } from '../useReview'

export interface FormatChoiceValue {
  format: FormatId | 'auto'
  options: FormatOptions
}

const MODE_WORDS: Record<(typeof FERPLUS_MODES)[number], string> = {
  majority: 'majority (the benchmark protocol)',
  probability: 'probability (FERPlus training mode)',
  argmax: 'most votes'
}

/** The open screen's format choice: automatic detection, or a format and the options that matter for it. */
export function FormatChoice({
  value,
  onChange,
  disabled
}: {
  value: FormatChoiceValue
  onChange: (value: FormatChoiceValue) => void
  disabled: boolean
}): React.JSX.Element {
  const { client } = useReviewStore().getState()
  const [specs, setSpecs] = useState<FormatSpec[]>([])
  useEffect(() => {
    void client.call('listFormats', {}).then(setSpecs, () => setSpecs([]))
  }, [client])
  const spec = specs.find((s) => s.id === value.format)
  const set = (patch: FormatOptions): void => onChange({ ...value, options: { ...value.options, ...patch } })
  const text = (key: 'pathColumn' | 'labelColumn', label: string): React.JSX.Element => (
    <label>
      {label}
      <input
        aria-label={label}
        value={String(value.options[key] ?? '')}
        placeholder="guessed"
        disabled={disabled}
        onChange={(e) => set({ [key]: e.target.value === '' ? undefined : e.target.value })}
      />
    </label>
  )

  return (
    <div className="format-choice">
      <label>
        Format{' '}
        <select
          aria-label="Dataset format"
          value={value.format}
          disabled={disabled}
          onChange={(e) => onChange({ format: e.target.value as FormatChoiceValue['format'], options: {} })}
        >
          <option value="auto">Detect automatically</option>
          {specs.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      {value.format === 'ferplus' && (
        <>
          <select
            aria-label="FERPlus mode"
            value={value.options.ferplusMode ?? 'majority'}
            disabled={disabled}
            onChange={(e) => set({ ferplusMode: e.target.value as FormatOptions['ferplusMode'] })}
          >
            {FERPLUS_MODES.map((m) => (
              <option key={m} value={m}>
                {MODE_WORDS[m]}
              </option>
            ))}
          </select>
          <select
            aria-label="FERPlus votes"
            value={value.options.ferplusVotes ?? 'label.csv'}
            disabled={disabled}
            onChange={(e) => set({ ferplusVotes: e.target.value as FormatOptions['ferplusVotes'] })}
          >
            <option value="label.csv">votes from each folder's label.csv</option>
            <option value="fer2013new.csv">votes from fer2013new.csv</option>
          </select>
        </>
      )}
      {value.format === 'rafdb' && (
        <select
          aria-label="RAF-DB images"
          value={value.options.rafdbImages ?? 'aligned'}
          disabled={disabled}
          onChange={(e) => set({ rafdbImages: e.target.value as FormatOptions['rafdbImages'] })}
        >
          <option value="aligned">Image/aligned</option>
          <option value="original">Image/original</option>
        </select>
      )}
      {value.format === 'csv' && (
        <>
          {text('pathColumn', 'Path column')}
          {text('labelColumn', 'Label column')}
        </>
      )}
      {spec && <p className="muted">{spec.description}</p>}
    </div>
  )
}
