import { EVENT_NAMES, REQUEST_NAMES, type EventName } from '@shared/api'
import { IPC_CALL_PREFIX, IPC_EVENT_CHANNEL } from '@shared/envelope'
import type { MenuCommand } from '@shared/menuCommands'
import { DESKTOP_CHANNELS, type PokerFaceBridge } from '@shared/desktopBridge'

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

/**
 * Builds the bridge from the request list: named, typed functions bound to fixed channels.
 * The renderer can never name a channel itself.
 */
export function buildBridge(ipc: IpcRendererLike, webUtils?: WebUtilsLike): PokerFaceBridge<File> {
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
  return bridge as PokerFaceBridge<File>
}
