/**
 * What the preload exposes as `window.pokerface`, and the IPC channels it uses besides the API
 * table (which uses IPC_CALL_PREFIX + request name). The preload builds it, main answers its
 * channels and the renderer calls it, so it lives here: none of the three may import another's
 * code (.dependency-cruiser.cjs), and a renamed channel or function breaks the build on all sides.
 */
import type { ApiEvents, EventName, RequestArgs, RequestName, RequestResult } from './api'
import type { Envelope } from './envelope'
import type { MenuCommand } from './menuCommands'

export const DESKTOP_CHANNELS = {
  /** The native open-folder dialog; answers a path or null. */
  pickFolder: 'pf:pickFolder',
  /** Main → page: a MenuCommand (src/shared/menuCommands.ts) from the application menu. */
  menuCommand: 'pf:menuCommand'
} as const

/**
 * One named function per request, plus `on`. `DroppedFile` is the page's DOM File: shared code
 * has no DOM types, so the preload and the renderer each supply it.
 */
export type PokerFaceBridge<DroppedFile> = {
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
  pathForFile(file: DroppedFile): string
}
