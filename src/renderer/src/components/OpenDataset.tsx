import { useState } from 'react'
import { useReview, useReviewStore } from '../useReview'

/** Start screen: a folder path (or the native picker in the desktop app) and recent datasets. */
export function OpenDataset(): React.JSX.Element {
  const store = useReviewStore()
  const recent = useReview((s) => s.recent)
  const scan = useReview((s) => s.scan)
  const appInfo = useReview((s) => s.appInfo)
  const [root, setRoot] = useState('')
  const pick = store.getState().client.pickFolder

  const open = (path: string): void => {
    if (path.trim()) void store.getState().openFolder(path.trim())
  }

  return (
    <section className="open-dataset">
      <h1>Open a dataset</h1>
      <p>
        A folder of face images: class folders (<code>happy/</code>, <code>train/anger/</code>…) become labels, split folders
        (train, val, test, FER2013Train…) become splits, and a flat folder opens unlabelled. Nothing is written into it.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          open(root)
        }}
      >
        <input
          aria-label="Dataset folder"
          placeholder="/path/to/dataset"
          value={root}
          onChange={(e) => setRoot(e.target.value)}
          disabled={!!scan}
          autoFocus
        />
        <button type="submit" disabled={!!scan || !root.trim()}>
          Open
        </button>
        {pick && (
          <button type="button" disabled={!!scan} onClick={() => void pick().then((p) => p && open(p))}>
            Browse…
          </button>
        )}
      </form>
      {recent.length > 0 && (
        <>
          <h2>Recent</h2>
          <ul className="recent">
            {recent.map((d) => (
              <li key={d.id}>
                <button className="link" onClick={() => open(d.root)} title={d.root}>
                  {d.name}
                </button>{' '}
                <span className="muted">
                  {d.sampleCount.toLocaleString()} images · {d.root}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      {appInfo && <p className="muted">Data folder: {appInfo.dataDir}</p>}
    </section>
  )
}
