import { useEffect, useState } from 'react'
import { ApiError } from '@shared/api'
import type { ExportFormat, ExportResult } from '@shared/types'
import { useReview, useReviewStore } from '../useReview'
import { Overlay } from './Overlay'

const FORMATS: { id: ExportFormat; what: string }[] = [
  { id: 'csv', what: 'CSV: path, original_label, current_label, changed' },
  { id: 'imagefolder', what: 'ImageFolder listing (TSV): source path → split/label/file' }
]

export function ExportDialog(): React.JSX.Element {
  const store = useReviewStore()
  const dataset = useReview((s) => s.dataset)
  const [format, setFormat] = useState<ExportFormat>('csv')
  const [path, setPath] = useState('')
  const [confirmReplace, setConfirmReplace] = useState(false)
  const [done, setDone] = useState<ExportResult | null>(null)
  const [error, setError] = useState<string | null>(null)
  const { client } = store.getState()

  useEffect(() => {
    if (dataset) void client.call('suggestExportPath', { datasetId: dataset.id, format }).then(setPath)
  }, [client, dataset, format])

  const run = async (overwrite: boolean): Promise<void> => {
    if (!dataset) return
    setError(null)
    try {
      setDone(await client.call('exportLabels', { datasetId: dataset.id, format, path, overwrite }))
      setConfirmReplace(false)
    } catch (err) {
      if (err instanceof ApiError && err.code === 'exists') setConfirmReplace(true)
      else setError((err as Error).message)
    }
  }

  return (
    <Overlay title="Export labels">
      <fieldset>
        {FORMATS.map((f) => (
          <label key={f.id} className="checkbox">
            <input type="radio" name="format" checked={format === f.id} onChange={() => setFormat(f.id)} />
            {f.what}
          </label>
        ))}
      </fieldset>
      <label>
        Save to
        <input
          aria-label="Export path"
          value={path}
          onChange={(e) => {
            setPath(e.target.value)
            setConfirmReplace(false)
          }}
        />
      </label>
      {confirmReplace ? (
        <div className="notice error" role="alert">
          {path} already exists. <button onClick={() => void run(true)}>Replace it (keep a backup)</button>{' '}
          <button onClick={() => setConfirmReplace(false)}>Cancel</button>
        </div>
      ) : (
        <button onClick={() => void run(false)} disabled={!path}>
          Export
        </button>
      )}
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <p className="notice info" role="status" data-testid="export-done">
          Wrote {done.rows.toLocaleString()} rows ({done.changed.toLocaleString()} changed) to {done.path}
          {done.backupPath ? `; the previous file is kept as ${done.backupPath}` : ''}
        </p>
      )}
    </Overlay>
  )
}
