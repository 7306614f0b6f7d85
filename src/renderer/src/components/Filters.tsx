import { EMOTIONS, sortLabels } from '@shared/emotions'
import type { Split } from '@shared/splits'
import type { DuplicateFilter } from '@shared/duplicates'
import { isDuplicateSearch, type InSampleFilter } from '@shared/types'
import { filterValue, NONE, parseFilterValue } from '../labels'
import { splitOptions } from '../splitOptions'
import { useReview, useReviewStore } from '../useReview'

const TRAINED_ON: { value: InSampleFilter | ''; name: string }[] = [
  { value: '', name: 'any (in-sample last)' },
  { value: 'no', name: 'no: out-of-sample only' },
  { value: 'yes', name: 'yes: in-sample only' },
  { value: 'unknown', name: 'unknown' }
]

const DUPLICATES: { value: DuplicateFilter | ''; name: string }[] = [
  { value: '', name: 'any image' },
  { value: 'any', name: 'every duplicate group' },
  { value: 'leakage', name: 'groups across splits (leakage)' },
  { value: 'disagree', name: 'groups whose labels disagree' }
]

export function Filters(): React.JSX.Element {
  const store = useReviewStore()
  const filter = useReview((s) => s.filter)
  const total = useReview((s) => s.total)
  const dataset = useReview((s) => s.dataset)
  // The duplicate search runs behind an open: until it ends, the groups are those found before.
  const searching = useReview((s) => isDuplicateSearch(s.scan) && s.scan?.root === s.dataset?.root)
  const labels = sortLabels([...EMOTIONS, ...(dataset?.labels ?? [])])
  const { setFilter, clearFilter } = store.getState()
  // A "more like this" or lasso grid's id list is not a filter to clear here: Back (Esc) leaves it.
  const active = Object.keys(filter).some((key) => key !== 'sampleIds')
  const { splits, unsplit } = splitOptions(dataset)
  const noSplits = splits.length === 0

  const labelOptions = (
    <>
      <option value="">any</option>
      <option value={NONE}>unlabelled</option>
      {labels.map((l) => (
        <option key={l} value={l}>
          {l}
        </option>
      ))}
    </>
  )

  return (
    <aside className="filters" aria-label="Filters">
      <label>
        Current label
        <select
          value={filterValue(filter.currentLabel)}
          onChange={(e) => setFilter({ currentLabel: parseFilterValue(e.target.value) })}
        >
          {labelOptions}
        </select>
      </label>
      <label>
        Original label
        <select
          value={filterValue(filter.originalLabel)}
          onChange={(e) => setFilter({ originalLabel: parseFilterValue(e.target.value) })}
        >
          {labelOptions}
        </select>
      </label>
      <label title={noSplits ? 'This folder has no split folders (train, valid, test…)' : undefined}>
        Split
        <select
          aria-label="Split"
          value={filterValue(filter.split)}
          disabled={noSplits && filter.split === undefined}
          onChange={(e) => setFilter({ split: parseFilterValue(e.target.value) as Split | null | undefined })}
        >
          <option value="">{noSplits ? 'any (no splits)' : 'any'}</option>
          {splits.map(({ split, count }) => (
            <option key={split} value={split}>
              {split} ({count.toLocaleString()})
            </option>
          ))}
          {unsplit > 0 && <option value={NONE}>none ({unsplit.toLocaleString()})</option>}
        </select>
      </label>
      <label title="Whether the ranked model trained on the face (in-sample scores are overconfident; they are listed last)">
        Model trained on it
        <select
          aria-label="Model trained on it"
          value={filter.inSample ?? ''}
          onChange={(e) => setFilter({ inSample: (e.target.value || undefined) as InSampleFilter | undefined })}
        >
          {TRAINED_ON.map((o) => (
            <option key={o.value} value={o.value}>
              {o.name}
            </option>
          ))}
        </select>
      </label>
      <label title="Exact and near duplicates (the same photo shifted, cropped, brightened, re-encoded or mirrored), group by group. D keeps the face under the cursor and excludes the rest of its group.">
        Duplicates
        <select
          aria-label="Duplicates"
          value={filter.duplicates ?? ''}
          onChange={(e) => setFilter({ duplicates: (e.target.value || undefined) as DuplicateFilter | undefined })}
        >
          {DUPLICATES.map((o) => (
            <option key={o.value} value={o.value}>
              {o.name}
            </option>
          ))}
        </select>
      </label>
      {filter.duplicates && (
        <p className="muted" data-testid="duplicates-hint">
          Groups side by side: = same pixels, ≈ near, ⇄ across splits, ≠ labels differ. <kbd>D</kbd> keeps the face under the
          cursor and excludes the rest of its group.
          {searching && ' Still looking for duplicates (top bar): the groups fill in when the search ends.'}
        </p>
      )}
      <label
        className="checkbox"
        title="Images that are likely not usable faces (blank, not a face, a graphic, an extreme crop), most likely first. Needs a model with embeddings."
      >
        <input
          type="checkbox"
          aria-label="Odd images"
          checked={!!filter.odd}
          onChange={(e) => setFilter({ odd: e.target.checked || undefined })}
        />
        Odd images
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={!!filter.changedOnly} onChange={(e) => setFilter({ changedOnly: e.target.checked })} />
        Changed only
      </label>
      <p className="muted" data-testid="match-count">
        {total.toLocaleString()} {active ? 'matching' : 'images'}
      </p>
      {active && (
        <button className="link" onClick={clearFilter}>
          Clear filters
        </button>
      )}
    </aside>
  )
}
