import type { ApiEvents, EventName } from '@shared/api'

type Listener = <E extends EventName>(event: E, payload: ApiEvents[E]) => void

/** Fan-out of main-side events to every connected transport (IPC window, SSE streams). */
export class EventHub {
  private listeners = new Set<Listener>()

  /**
   * Tells every listener. One that throws (a window or stream gone mid-event) is logged and passed
   * over: the others still hear it, and the work that emitted (a scan, a run, the duplicate search
   * behind an open) goes on.
   */
  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void {
    for (const l of this.listeners) {
      try {
        l(event, payload)
      } catch (err) {
        console.error(`A listener of ${event} failed: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
  }

  /** Returns the function that unsubscribes. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
