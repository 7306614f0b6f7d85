import type { ApiEvents, EventName } from '@shared/api'

type Listener = <E extends EventName>(event: E, payload: ApiEvents[E]) => void

/** Fan-out of main-side events to every connected transport (IPC window, SSE streams). */
export class EventHub {
  private listeners = new Set<Listener>()

  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void {
    for (const l of this.listeners) l(event, payload)
  }

  /** Returns the function that unsubscribes. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
