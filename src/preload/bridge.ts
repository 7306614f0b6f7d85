import {
  EVENT_NAMES,
  REQUEST_NAMES,
  type ApiEvents,
  type EventName,
  type RequestArgs,
  type RequestName,
  type RequestResult
} from '@shared/api'
import { IPC_CALL_PREFIX, IPC_EVENT_CHANNEL, type Envelope } from '@shared/envelope'
import type { MenuCommand } from '@shared/menuCommands'
import { DESKTOP_CHANNELS } from '../main/ipc/channels'

/** The slice of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
}

/** The slice of Electron's webUtils the bridge uses. */
export interface WebUtilsLike {
  getPathForFile(file: File): string
}

/** What the preload exposes as `window.pokerface`: one named function per request, plus `on`. */
export type PokerFaceBridge = {
  [N in RequestName]: (args: RequestArgs<N>) => Promise<Envelope<RequestResult<N>>>
} & {
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void
  pickFolder(): Promise<string | null>
  /** Commands from the application menu (main sends them; the page runs them). Returns the unsubscribe function. */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void
  /**
   * Where a file or folder dropped on the window lives on disk ('' when it has no path).
   * Electron no longer puts a path on File objects; only the preload can ask (webUtils).
   */
  pathForFile(file: File): string
}

/**
 * Builds the bridge from the request list: named, typed functions bound to fixed channels.
 * The renderer can never name a channel itself.
 */
export function buildBridge(ipc: IpcRendererLike, webUtils?: WebUtilsLike): PokerFaceBridge {
  const bridge: Record<string, unknown> = {}
  for (const name of REQUEST_NAMES) {
    bridge[name] = (args: unknown) => ipc.invoke(IPC_CALL_PREFIX + name, args)
  }
  bridge.on = (event: EventName, listener: (payload: unknown) => void) => {
    if (!(EVENT_NAMES as readonly string[]).includes(event)) throw new Error(`Unknown event: ${event}`)
    const wrapped = (_e: unknown, name: unknown, payload: unknown): void => {
      if (name === event) listener(payload)
    }
    ipc.on(IPC_EVENT_CHANNEL, wrapped as (event: unknown, ...args: unknown[]) => void)
    return () => ipc.removeListener(IPC_EVENT_CHANNEL, wrapped as (event: unknown, ...args: unknown[]) => void)
  }
  bridge.pickFolder = () => ipc.invoke(DESKTOP_CHANNELS.pickFolder) as Promise<string | null>
  // Only main can send on this channel (Electron 28 removed renderer-to-renderer sendTo), so the
  // command is main's own MenuCommand; the IPC event object stays in the preload.
  bridge.onMenuCommand = (listener: (command: MenuCommand) => void) => {
    const wrapped = (_e: unknown, command: unknown): void => listener(command as MenuCommand)
    ipc.on(DESKTOP_CHANNELS.menuCommand, wrapped as (event: unknown, ...args: unknown[]) => void)
    return () => ipc.removeListener(DESKTOP_CHANNELS.menuCommand, wrapped as (event: unknown, ...args: unknown[]) => void)
  }
  bridge.pathForFile = (file: File) => webUtils?.getPathForFile(file) ?? ''
  return bridge as PokerFaceBridge
}
