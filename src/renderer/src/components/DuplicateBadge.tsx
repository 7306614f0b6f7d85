import type { SampleDuplicate } from '@shared/duplicates'

/**
 * A tile's duplicate group (issue 17): ⧉ and the group's size in a colour of its own, so members of
 * one group read as one beside another group's, and the group's warnings: ⇄ its members are in
 * more than one split (leakage), ≠ its labels disagree. Exact copies are marked =, near ones ≈.
 */
export function DuplicateBadge({ duplicate }: { duplicate: SampleDuplicate }): React.JSX.Element {
  const hue = (duplicate.group * 137) % 360
  const what = [
    `${duplicate.exact ? 'Exact' : 'Near'} duplicate: one of ${duplicate.size} in group ${duplicate.group}`,
    duplicate.crossSplit ? 'the group spans splits (leakage)' : null,
    duplicate.labelsDisagree ? 'its labels disagree' : null
  ]
    .filter(Boolean)
    .join('; ')
  return (
    <span
      className="duplicate-badge"
      data-testid="duplicate-badge"
      data-group={duplicate.group}
      style={{ borderColor: `hsl(${hue} 70% 55%)` }}
      title={`${what}. D keeps this one and excludes the others.`}
    >
      {duplicate.exact ? '=' : '≈'}
      {duplicate.size}
      {duplicate.crossSplit && (
        <span className="duplicate-leak" data-testid="duplicate-leak" aria-label="across splits">
          ⇄
        </span>
      )}
      {duplicate.labelsDisagree && (
        <span className="duplicate-disagree" data-testid="duplicate-disagree" aria-label="labels disagree">
          ≠
        </span>
      )}
    </span>
  )
}
