/** A select with its label before it, over a fixed list of choices (value and the words shown). */
export function LabelledSelect<T extends string>({
  label,
  value,
  choices,
  onChange
}: {
  label: string
  value: T
  choices: readonly { value: T; name: string }[]
  onChange: (value: T) => void
}): React.JSX.Element {
  return (
    <label>
      {label}{' '}
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value as T)}>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.name}
          </option>
        ))}
      </select>
    </label>
  )
}
