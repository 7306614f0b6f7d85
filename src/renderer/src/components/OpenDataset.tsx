import { useState } from 'react'
import { useReview, useReviewStore } from '../useReview'
import { ExtractFaces } from './ExtractFaces'
import { FormatChoice, type FormatChoiceValue } from './FormatChoice'
import { useFolderDrop } from '../useFolderDrop'

/** Start screen: a folder path (or the native picker in the desktop app) and recent datasets. */
export function OpenDataset(): React.JSX.Element {
  const store = useReviewStore()
  const recent = useReview((s) => s.recent)
  const scan = useReview((s) => s.scan)
  const appInfo = useReview((s) => s.appInfo)
  const [root, setRoot] = useState('')
  const [choice, setChoice] = useState<FormatChoiceValue>({ format: 'auto', options: {} })
  const pick = store.getState().client.pickFolder

  const open = (path: string): void => {
    if (!path.trim()) return
    if (choice.format === 'auto') void store.getState().openFolder(path.trim())
    else void openAs(path.trim())
  }
  /** A format chosen by hand goes straight to the API; the choice is remembered with the dataset. */
  const openAs = async (path: string): Promise<void> => {
    const s = store.getState()
    try {
      const { dataset, format } = await s.client.call('openDataset', {
        root: path,
        format: choice.format,
        options: choice.options
      })
      await s.showDataset(dataset.id)
      s.notify({ kind: 'info', text: `Opened ${dataset.sampleCount.toLocaleString()} images as ${format.formatName}` })
    } catch (err) {
      s.notify({ kind: 'error', text: (err as Error).message })
    }
  }
  useFolderDrop(open)

  return (
    <section className="open-dataset">
      <h1>Open a dataset</h1>
      <p>
        A folder of face images: class folders (<code>happy/</code>, <code>train/anger/</code>…) become labels, split folders
        (train, val, test, FER2013Train…) become splits, and a flat folder opens unlabelled. Label files of RAF-DB, FERPlus,
        FER2013, AffectNet or any CSV listing images are recognised. Nothing is written into it.
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
        {/* While a folder is read, the button says so; the bar above the page shows how far. */}
        <button type="submit" disabled={!!scan || !root.trim()}>
          {scan ? 'Opening…' : 'Open'}
        </button>
        {pick && (
          <button type="button" disabled={!!scan} onClick={() => void pick().then((p) => p && open(p))}>
            Browse…
          </button>
        )}
      </form>
      <FormatChoice value={choice} onChange={setChoice} disabled={!!scan} />
      <ExtractFaces />
      {recent.length > 0 && (
        <>
          <h2>Recent</h2>
          <ul className="recent">
            {recent.map((d) => (
              <li key={d.id}>
                {/* A recent dataset reopens the way it was read last time. */}
                <button className="link" onClick={() => void store.getState().openFolder(d.root)} title={d.root}>
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
