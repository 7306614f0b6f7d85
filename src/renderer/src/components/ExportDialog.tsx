import { useEffect, useRef, useState } from 'react'
import { ApiError } from '@shared/api'
import { describeLeftOut } from '@shared/cleaned'
import type { DatasetFormatInfo } from '@shared/formats/types'
import type { ExportFormat, ExportResult } from '@shared/types'
import { useReview, useReviewStore } from '../useReview'
import { Overlay } from './Overlay'

const CLEANED = 'without the faces marked exclude (X) or not a face (N)'

const FORMATS: { id: ExportFormat; what: string }[] = [
  { id: 'csv', what: `Cleaned CSV: path, original_label, current_label, changed — ${CLEANED}` },
  {
    id: 'imagefolder',
    what: `Cleaned ImageFolder tree in a new folder (hard links to your images, copies where links cannot be made) — ${CLEANED}; the dataset is not touched`
  },
  {
    id: 'source',
    what: "The dataset's own label files, changed lines rewritten (into a folder; unchanged files come out byte-identical; the rows replaced are kept in relabelled-rows.csv)"
  },
  {
    id: 'provenance-csv',
    what: 'CSV with provenance, every face: source file and line, old and new label, when, marks, note, score, suggestion, reviewed'
  },
  { id: 'provenance-json', what: 'JSON with provenance, every face and decision, the class mapping and the change log' },
  { id: 'changelog-csv', what: 'Change log (CSV): every label change, undo and redo' }
]

/**
 * What "the dataset's own format" writes for this dataset. An ImageFolder dataset has no label
 * file: its export is a listing of moves, and saying "label files" there once promised what it
 * did not write (issue #16).
 */
function sourceWhat(info: DatasetFormatInfo | null, fallback: string): string {
  if (info?.format === 'imagefolder')
    return 'ImageFolder: imagefolder-moves.tsv, a listing (source path → target path) where unchanged images stay in place and relabelled ones move to their class folder, spelled as your folders are (no file of the dataset is rewritten)'
  return info ? `${info.formatName}: ${fallback}` : fallback
}

/** How the dataset was read and how its classes map onto the model's, so an export holds no surprise. */
function ClassMapping({ info }: { info: DatasetFormatInfo }): React.JSX.Element {
  return (
    <details className="class-mapping">
      <summary>
        Read as {info.formatName}
        {info.chosenBy === 'user' ? ' (chosen by hand)' : ''}
        {info.labelFiles.length > 0 ? ` from ${info.labelFiles.join(', ')}` : ''} · class mapping
      </summary>
      <table>
        <tbody>
          {info.classMapping.map((c) => (
            <tr key={c.id} className={c.inModel ? '' : 'notice'}>
              <td>
                <code>{c.id}</code> {c.name !== c.id ? c.name : ''}
              </td>
              <td>→ {c.label ?? 'no label'}</td>
              <td>{c.count.toLocaleString()}</td>
              <td className="muted">{c.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  )
}

export function ExportDialog(): React.JSX.Element {
  const store = useReviewStore()
  const dataset = useReview((s) => s.dataset)
  const [format, setFormat] = useState<ExportFormat>('csv')
  const [info, setInfo] = useState<DatasetFormatInfo | null>(null)
  const [path, setPath] = useState('')
  const [confirmReplace, setConfirmReplace] = useState(false)
  const [done, setDone] = useState<ExportResult | null>(null)
  const [error, setError] = useState<string | null>(null)
  const { client } = store.getState()

  // Edits of the path by the researcher: a suggestion that arrives after one never replaces it.
  const edits = useRef(0)
  const datasetId = dataset?.id
  useEffect(() => {
    if (datasetId === undefined) return
    const editsWhenAsked = edits.current
    void client.call('suggestExportPath', { datasetId, format }).then((suggested) => {
      if (edits.current === editsWhenAsked) setPath(suggested)
    })
    // The dataset's id, not its summary: the counts are re-read after decisions, and a path being
    // typed must not be replaced by a new suggestion then.
  }, [client, datasetId, format])
  useEffect(() => {
    if (datasetId !== undefined) void client.call('getDatasetFormat', { datasetId }).then(setInfo, () => setInfo(null))
  }, [client, datasetId])

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
            {f.id === 'source' ? sourceWhat(info, f.what) : f.what}
          </label>
        ))}
      </fieldset>
      {info && <ClassMapping info={info} />}
      <label>
        Save to
        <input
          aria-label="Export path"
          value={path}
          onChange={(e) => {
            edits.current++
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
        <p className="notice error" role="alert" style={{ whiteSpace: 'pre-line' }}>
          {error}
        </p>
      )}
      {done && (
        <p className="notice info" role="status" data-testid="export-done">
          Wrote {done.rows.toLocaleString()} {done.images ? 'images' : 'rows'} ({done.changed.toLocaleString()} changed) to{' '}
          {done.path}
          {done.leftOut ? `; ${describeLeftOut(done.leftOut)}` : ''}
          {done.images
            ? ` (${done.images.linked.toLocaleString()} linked, ${done.images.copied.toLocaleString()} copied` +
              `${done.images.written ? `, ${done.images.written.toLocaleString()} written from pixels` : ''})`
            : ''}
          {done.files && done.files.length > 1 ? ` (${done.files.length} files)` : ''}
          {done.dropped ? `; ${done.dropped} samples whose label you removed are left out, as the format has no "no label"` : ''}
          {done.backups && done.backups.length > 1
            ? `; the replaced files are kept as backups (${done.backups.join(', ')})`
            : done.backupPath
              ? `; the previous file is kept as ${done.backupPath}`
              : ''}
        </p>
      )}
    </Overlay>
  )
}
