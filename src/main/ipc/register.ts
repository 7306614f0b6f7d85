import { REQUEST_NAMES, type ApiEvents, type ApiHandlers, type EventName } from '@shared/api'
import { IPC_CALL_PREFIX, IPC_EVENT_CHANNEL, toEnvelope } from '@shared/envelope'
import { handleRequest } from '../api/edge'
import type { EventHub } from '../api/events'
import { DESKTOP_CHANNELS } from '@shared/desktopBridge'

/** What the sender check sees of an IPC event (Electron's IpcMainInvokeEvent has more). */
export interface IpcEventLike {
  senderFrame: { url: string; parent?: unknown } | null
  sender: unknown
}

/** The slice of Electron's ipcMain this module uses, so the wiring can be exercised without Electron. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void
  removeHandler(channel: string): void
}

export interface EventTarget {
  send(channel: string, ...args: unknown[]): void
}

/**
 * One `ipcMain.handle` per request of the contract. A call from any frame that is not the
 * app's own page is refused before the handler runs; the rest cross the same edge as HTTP
 * (arguments checked, errors mapped: src/main/api/edge.ts).
 */
export function registerIpcHandlers(
  ipcMain: IpcMainLike,
  handlers: ApiHandlers,
  isTrustedSender: (event: IpcEventLike) => boolean
): () => void {
  for (const name of REQUEST_NAMES) {
    ipcMain.handle(IPC_CALL_PREFIX + name, (event, args) => {
      if (!isTrustedSender(event)) {
        return { ok: false, error: { code: 'bad_request', message: 'Refused: request from an untrusted frame' } }
      }
      // An absent argument is an empty one (Electron sends undefined for `invoke(channel)`); `null` is not.
      return toEnvelope(() => handleRequest(handlers, name, args === undefined ? {} : args))
    })
  }
  return () => REQUEST_NAMES.forEach((name) => ipcMain.removeHandler(IPC_CALL_PREFIX + name))
}

/** What the desktop shell answers besides the API table. */
export interface DesktopHandlers {
  pickFolder(): Promise<string | null>
}

/** The desktop-only channels, behind the same sender check as the API. An untrusted sender gets null. */
export function registerDesktopHandlers(
  ipcMain: IpcMainLike,
  handlers: DesktopHandlers,
  isTrustedSender: (event: IpcEventLike) => boolean
): () => void {
  ipcMain.handle(DESKTOP_CHANNELS.pickFolder, (event) => (isTrustedSender(event) ? handlers.pickFolder() : null))
  return () => ipcMain.removeHandler(DESKTOP_CHANNELS.pickFolder)
}

/** Forwards every main-side event to a window. Returns the unsubscribe function. */
export function forwardEvents(events: EventHub, target: () => EventTarget | null): () => void {
  return events.subscribe(<E extends EventName>(event: E, payload: ApiEvents[E]) => {
    target()?.send(IPC_EVENT_CHANNEL, event, payload)
  })
}
