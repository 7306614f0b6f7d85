import { getPriority, setPriority } from 'node:os'

/** The nice value at which the scheduler runs a thread only in time other threads leave. */
const IDLE_NICE = 19

/**
 * Lowers the calling worker thread to IDLE_NICE: for work that should only use what the model and
 * the window leave of the cores (post-processing, the UMAP layout). Linux keeps a nice value per
 * thread, so setPriority(0, …) lowers this thread alone. Elsewhere it would lower the whole process
 * (the window, the model), so there the thread keeps its priority. Returns the thread's nice value,
 * or null where it was left.
 */
export function lowerOwnPriority(): number | null {
  if (process.platform !== 'linux') return null
  try {
    setPriority(0, IDLE_NICE)
    return getPriority(0)
  } catch {
    return null // a sandbox that forbids it: same results, just less overlap
  }
}
