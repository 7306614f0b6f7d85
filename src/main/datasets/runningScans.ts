import { ApiError } from '@shared/api'

/**
 * The scans in progress, by dataset folder, so that a request other than the one that started a
 * scan (the open screen's Cancel, a second client) can stop it. A folder of millions of files or
 * a slow network disk can take minutes to list; the user must be able to give up without
 * quitting the app.
 */
export class RunningScans {
  private readonly byRoot = new Map<string, Set<AbortController>>()

  /** Runs `scan` with a signal that `cancel(root)` aborts; a cancelled scan answers a clear error. */
  async run<T>(root: string, scan: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController()
    const running = this.byRoot.get(root) ?? new Set()
    running.add(controller)
    this.byRoot.set(root, running)
    try {
      return await scan(controller.signal)
    } catch (err) {
      if (controller.signal.aborted) {
        throw new ApiError('bad_request', `Opening ${root} was cancelled; nothing was stored, the dataset is as it was.`)
      }
      throw err
    } finally {
      running.delete(controller)
      if (running.size === 0) this.byRoot.delete(root)
    }
  }

  /** Cancels every scan of `root`; false when none was running. */
  cancel(root: string): boolean {
    const running = this.byRoot.get(root)
    if (!running) return false
    for (const controller of running) controller.abort()
    return true
  }
}
