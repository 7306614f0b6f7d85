import { useEffect, useState } from 'react'
import type { ProviderName } from '@shared/inference'
import { cardAccuracyLine } from '@shared/models'
import type { DatasetSummary } from '@shared/types'
import { duplicatesNote } from '../runScope'
import { useInference } from '../useInference'
import { useReview, useReviewStore } from '../useReview'

const PROVIDERS: { id: ProviderName; label: string }[] = [
  { id: 'auto', label: 'auto (best available)' },
  { id: 'cpu', label: 'CPU' },
  { id: 'cuda', label: 'CUDA (NVIDIA)' },
  { id: 'dml', label: 'DirectML (Windows)' },
  { id: 'coreml', label: 'CoreML (macOS)' },
  { id: 'webgpu', label: 'WebGPU (experimental)' }
]

/**
 * "No model I run trained on these images": for a folder the model card cannot place (a copy of
 * FER2013 test is "unknown" otherwise). Stored with the dataset and ranked again at once.
 */
function DeclareOutOfSample({ dataset, disabled }: { dataset: DatasetSummary; disabled: boolean }): React.JSX.Element {
  const store = useReviewStore()
  const [error, setError] = useState<string | null>(null)
  // The answer is what is stored. The ranking it triggers refreshes the grid at the same time, and
  // that refresh may put back the summary it read before the answer came; so the box follows the
  // answer for this dataset until the next one is opened.
  const [answered, setAnswered] = useState<{ datasetId: number; at: string | null } | null>(null)
  const declare = async (declared: boolean): Promise<void> => {
    try {
      setError(null)
      const summary = await store.getState().client.call('declareOutOfSample', { datasetId: dataset.id, declared })
      setAnswered({ datasetId: summary.id, at: summary.outOfSampleDeclaredAt })
      store.setState({ dataset: summary })
    } catch (err) {
      setError((err as Error).message)
    }
  }
  const at = answered?.datasetId === dataset.id ? answered.at : dataset.outOfSampleDeclaredAt
  return (
    <>
      <label
        className="checkbox"
        title="Say so when you know the model never trained on this folder's images (e.g. a copy of a test split): its scores then count as out-of-sample. Exported with the provenance."
      >
        <input
          type="checkbox"
          aria-label="Declare out-of-sample"
          checked={at !== null}
          onChange={(e) => void declare(e.target.checked)}
          disabled={disabled}
        />
        The model never trained on these images
      </label>
      {at && (
        <p className="muted" data-testid="declared-out-of-sample">
          Declared out-of-sample on {new Date(at).toLocaleDateString()}.
        </p>
      )}
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
    </>
  )
}

/**
 * The model run's settings (model, hardware, poker faces) and the last run's details; the Run
 * button and its progress are RunAction, pinned below.
 */
export function RunPanel(): React.JSX.Element | null {
  const dataset = useReview((s) => s.dataset)
  const models = useInference((s) => s.models)
  const settings = useInference((s) => s.settings)
  const job = useInference((s) => s.job)
  const error = useInference((s) => s.error)
  const startedWith = useInference((s) => s.startedWith)
  const { loadModels, addModel, setSettings, watch } = useInference((s) => s)
  const [folder, setFolder] = useState('')

  useEffect(() => {
    void loadModels()
  }, [loadModels])
  useEffect(() => {
    if (dataset) void watch(dataset.id)
  }, [dataset?.id, watch]) // eslint-disable-line react-hooks/exhaustive-deps

  if (!dataset) return null
  const usable = models.filter((m) => m.problems.length === 0)
  const unusable = models.filter((m) => m.problems.length > 0)
  const selected = usable.find((m) => m.id === settings.modelId) ?? usable[0]
  const cardLine = selected ? cardAccuracyLine(selected.metrics) : null
  const running = job && !job.finishedAt
  const note = job ? duplicatesNote(job, startedWith) : null

  return (
    <section className="run-panel" aria-label="Run the model">
      <h3>Model</h3>
      {usable.length === 0 ? (
        <p className="muted">
          {unusable.length
            ? 'No installed model can run; the reasons are listed below.'
            : 'No model installed yet. Add an exported model folder (model.json, classify.onnx, generate.onnx).'}
        </p>
      ) : (
        <label>
          Model
          <select
            aria-label="Model to run"
            value={selected.id}
            onChange={(e) => setSettings({ modelId: e.target.value })}
            disabled={!!running}
          >
            {usable.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name} ({m.id})
              </option>
            ))}
          </select>
        </label>
      )}
      {cardLine && <p className="muted model-card-line">{cardLine}</p>}
      <DeclareOutOfSample dataset={dataset} disabled={!!running} />
      {unusable.length > 0 && (
        // A broken model is listed with its reasons rather than hidden, so a researcher who added
        // one sees why it is not offered.
        <details className="model-problems" open={usable.length === 0}>
          <summary>
            {unusable.length} model{unusable.length === 1 ? '' : 's'} cannot run
          </summary>
          <ul>
            {unusable.map((m) => (
              <li key={m.folder}>
                <strong>
                  {m.name} ({m.id})
                </strong>
                : {m.problems.join('; ')}
              </li>
            ))}
          </ul>
        </details>
      )}
      <label>
        Hardware
        <select
          value={settings.provider}
          onChange={(e) => setSettings({ provider: e.target.value as ProviderName })}
          disabled={!!running}
        >
          {PROVIDERS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      <div className="row">
        <label>
          Threads
          <input
            type="number"
            min={1}
            max={64}
            placeholder="auto"
            value={settings.threads ?? ''}
            onChange={(e) => setSettings({ threads: e.target.value ? Number(e.target.value) : null })}
            disabled={!!running}
          />
        </label>
        <label>
          Batch
          <input
            type="number"
            min={1}
            max={256}
            value={settings.batchSize}
            onChange={(e) => setSettings({ batchSize: Number(e.target.value) || 16 })}
            disabled={!!running}
          />
        </label>
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={settings.generate}
          onChange={(e) => setSettings({ generate: e.target.checked })}
          disabled={!!running}
        />
        Generate poker faces
      </label>
      {job && (note || job.provider || job.warnings.length > 0) && (
        <div className="run-details">
          {note && (
            <p className="muted" data-testid="run-duplicates">
              {note}
            </p>
          )}
          {job.provider && (
            <p className="muted" data-testid="run-hardware">
              {job.modelId} on {job.provider}, {job.threads} threads, batch {job.batchSize}
              {job.failed > 0 && ` · ${job.failed} images could not be read`}
            </p>
          )}
          {job.warnings.map((w) => (
            <p key={w} className="muted">
              ⚠ {w}
            </p>
          ))}
        </div>
      )}
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      <form
        className="add-model"
        onSubmit={(e) => {
          e.preventDefault()
          if (folder.trim()) void addModel(folder.trim())
        }}
      >
        <input
          aria-label="Model folder"
          placeholder="Add a model folder…"
          value={folder}
          onChange={(e) => setFolder(e.target.value)}
        />
        <button type="submit" disabled={!folder.trim()}>
          Add
        </button>
      </form>
    </section>
  )
}
