import { REQUEST_NAMES, type ApiEvents, type ApiHandlers, type EventName } from '@shared/api'
import { IPC_CALL_PREFIX, IPC_EVENT_CHANNEL, toEnvelope } from '@shared/envelope'
import type { EventHub } from '../api/events'

/** The slice of Electron's ipcMain this module uses, so the wiring can be exercised without Electron. */
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: { senderFrame: { url: string } | null; sender: unknown }, ...args: unknown[]) => unknown
  ): void
  removeHandler(channel: string): void
}

export interface EventTarget {
  send(channel: string, ...args: unknown[]): void
}

/**
 * One `ipcMain.handle` per request of the contract. A call from any frame that is not the
 * app's own page is refused before the handler runs.
 */
export function registerIpcHandlers(
  ipcMain: IpcMainLike,
  handlers: ApiHandlers,
  isTrustedSender: (event: { senderFrame: { url: string } | null; sender: unknown }) => boolean
): () => void {
  for (const name of REQUEST_NAMES) {
    ipcMain.handle(IPC_CALL_PREFIX + name, (event, args) => {
      if (!isTrustedSender(event)) {
        return { ok: false, error: { code: 'bad_request', message: 'Refused: request from an untrusted frame' } }
      }
      const handler = handlers[name] as (a: unknown) => Promise<unknown>
      return toEnvelope(() => handler(args ?? {}))
    })
  }
  return () => REQUEST_NAMES.forEach((name) => ipcMain.removeHandler(IPC_CALL_PREFIX + name))
}

/** Forwards every main-side event to a window. Returns the unsubscribe function. */
export function forwardEvents(events: EventHub, target: () => EventTarget | null): () => void {
  return events.subscribe(<E extends EventName>(event: E, payload: ApiEvents[E]) => {
    target()?.send(IPC_EVENT_CHANNEL, event, payload)
  })
}
