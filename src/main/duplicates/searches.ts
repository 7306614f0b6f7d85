import type { ScanProgress } from '@shared/types'
import type { Db } from '../store/db'
import { updateDuplicates, type DuplicateUpdate } from './findDuplicates'

/** How a background duplicate search ended. */
export type SearchOutcome =
  ({ outcome: 'done' } & DuplicateUpdate) | { outcome: 'cancelled' } | { outcome: 'failed'; message: string }

export interface SearchListeners {
  onProgress: (progress: ScanProgress) => void
  onEnd: (datasetId: number, root: string, end: SearchOutcome) => void
}

interface Running {
  controller: AbortController
  ended: Promise<SearchOutcome>
}

/**
 * The duplicate searches running after an open (issue 19: decoding 300,000 faces for their
 * fingerprints took ten minutes of a first open; the dataset is usable without them, so the open
 * returns once its samples are stored and this finishes behind it). One search per dataset: a new
 * open cancels the running one and starts again from what it stored (fingerprints are saved batch
 * by batch, and a cut-short search forgets the grouping, so the next one finishes it). A process
 * that dies mid-search leaves the same state, and the next open resumes it the same way.
 */
export class DuplicateSearches {
  private readonly running = new Map<number, Running>()

  constructor(
    private readonly db: Db,
    private readonly listeners: SearchListeners
  ) {}

  /**
   * Starts the search for a dataset just scanned; `changed` says whether the scan moved samples.
   * Returns at once; `settled` waits for it.
   */
  start(datasetId: number, root: string, changed: boolean): void {
    const previous = this.running.get(datasetId)
    previous?.controller.abort()
    const controller = new AbortController()
    // After the one it replaces has stopped: two searches of a dataset must never store at once.
    const ended = (previous?.ended ?? Promise.resolve())
      .then(() => this.search(datasetId, root, changed, controller.signal))
      .then((end) => {
        if (this.running.get(datasetId)?.controller === controller) this.running.delete(datasetId)
        this.listeners.onEnd(datasetId, root, end)
        return end
      })
    this.running.set(datasetId, { controller, ended })
  }

  private async search(datasetId: number, root: string, changed: boolean, signal: AbortSignal): Promise<SearchOutcome> {
    try {
      signal.throwIfAborted()
      const update = await updateDuplicates(this.db, datasetId, root, changed, this.listeners.onProgress, signal)
      return { outcome: 'done', ...update }
    } catch (err) {
      if (signal.aborted) return { outcome: 'cancelled' }
      return { outcome: 'failed', message: err instanceof Error ? err.message : String(err) }
    } finally {
      this.listeners.onProgress({ root, phase: 'done', done: 0, total: 0 })
    }
  }

  /** Stops the dataset's search (what it stored stays); false when none was running. */
  cancel(datasetId: number): boolean {
    const running = this.running.get(datasetId)
    running?.controller.abort()
    return running !== undefined
  }

  /** Waits for the dataset's search to end; null when none is running. */
  async settled(datasetId: number): Promise<SearchOutcome | null> {
    return (await this.running.get(datasetId)?.ended) ?? null
  }

  /** Stops every search and waits for them (before the store is closed). */
  async stopAll(): Promise<void> {
    const all = [...this.running.values()]
    for (const r of all) r.controller.abort()
    await Promise.all(all.map((r) => r.ended))
  }
}
