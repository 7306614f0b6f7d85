import { useState } from 'react'
import { useReview, useReviewStore } from '../useReview'

/**
 * For folders of raw photos (not already-cropped faces): find and align every face first, then
 * open the folder of crops. Each crop keeps its photo's subfolders (so class folders stay labels)
 * and faces.csv links it back to its photo.
 */
export function ExtractFaces(): React.JSX.Element {
  const store = useReviewStore()
  const scan = useReview((s) => s.scan)
  const [photos, setPhotos] = useState('')
  const [busy, setBusy] = useState(false)

  const run = async (): Promise<void> => {
    const s = store.getState()
    setBusy(true)
    try {
      const r = await s.client.call('extractFaces', { photos: photos.trim() })
      // As an ImageFolder: the photos' class folders are the labels; faces.csv only links crops to photos.
      const { dataset } = await s.client.call('openDataset', { root: r.out, format: 'imagefolder', options: {} })
      await s.showDataset(dataset.id)
      s.notify({
        kind: r.faces ? 'info' : 'error',
        text:
          `${r.faces} faces from ${r.photos} photos, saved in ${r.out}` +
          (r.skipped.length ? `; ${r.skipped.length} photos skipped (no face, or unreadable)` : '')
      })
    } catch (err) {
      s.notify({ kind: 'error', text: (err as Error).message })
    } finally {
      setBusy(false)
    }
  }

  return (
    <details className="extract-faces">
      <summary>A folder of raw photos? Find the faces first</summary>
      <p className="muted">
        Every face is detected (BlazeFace), aligned by its eyes and saved as a crop in the app's data folder, in the same
        subfolders as its photo; <code>faces.csv</code> there links each crop to its photo. The crops then open as a dataset.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          if (photos.trim()) void run()
        }}
      >
        <input
          aria-label="Photos folder"
          placeholder="/path/to/photos"
          value={photos}
          onChange={(e) => setPhotos(e.target.value)}
          disabled={busy || !!scan}
        />
        <button type="submit" disabled={busy || !!scan || !photos.trim()}>
          {busy ? 'Finding faces…' : 'Find faces'}
        </button>
      </form>
    </details>
  )
}
