import { useState } from 'react'
import { useReview, useReviewStore } from '../useReview'

/**
 * The header's dataset controls: switch to another dataset this data folder knows, open a new
 * folder, close the one shown. Browser mode has no File menu, so these are its only way; the
 * desktop app shows them too, so both work the same.
 */
export function DatasetSwitcher(): React.JSX.Element | null {
  const store = useReviewStore()
  const dataset = useReview((s) => s.dataset)
  const recent = useReview((s) => s.recent)
  const scan = useReview((s) => s.scan)
  const [opening, setOpening] = useState(false)
  const [root, setRoot] = useState('')
  if (!dataset) return null
  const { showDataset, openFolder, closeDataset, client } = store.getState()
  // The shown dataset is listed even when listDatasets has not caught up with it yet.
  const choices = recent.some((d) => d.id === dataset.id) ? recent : [dataset, ...recent]

  const open = (path: string): void => {
    if (!path.trim()) return
    setOpening(false)
    setRoot('')
    void openFolder(path.trim())
  }

  return (
    <div className="dataset-switcher">
      <select
        aria-label="Dataset"
        value={dataset.id}
        title={dataset.root}
        disabled={!!scan}
        // A switch shows the dataset as scanned before (no rescan): it is instant, and its view comes back.
        onChange={(e) => void showDataset(Number(e.target.value))}
      >
        {choices.map((d) => (
          <option key={d.id} value={d.id} title={d.root}>
            {d.name}
          </option>
        ))}
      </select>
      <button onClick={() => setOpening(!opening)} aria-expanded={opening} disabled={!!scan}>
        Open…
      </button>
      {/* Named for what it closes: the export dialog has its own "Close". */}
      <button onClick={() => void closeDataset()} title="Back to the start screen" aria-label="Close dataset">
        Close
      </button>
      {opening && (
        <form
          className="open-popover"
          onSubmit={(e) => {
            e.preventDefault()
            open(root)
          }}
        >
          <input
            aria-label="Folder to open"
            placeholder="/path/to/dataset"
            value={root}
            onChange={(e) => setRoot(e.target.value)}
            onKeyDown={(e) => e.key === 'Escape' && setOpening(false)}
            autoFocus
          />
          <button type="submit" disabled={!root.trim()}>
            Open
          </button>
          {client.pickFolder && (
            <button type="button" onClick={() => void client.pickFolder?.().then((p) => p && open(p))}>
              Browse…
            </button>
          )}
        </form>
      )}
    </div>
  )
}
