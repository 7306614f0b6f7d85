import type { PokerFaceClient, RequestName } from '@shared/api'
import { unwrap, type Envelope } from '@shared/envelope'
import { desktopMediaUrls } from '@shared/mediaUrls'
import type { PokerFaceBridge } from '@shared/desktopBridge'

/** Electron: the preload's named functions, unwrapped into the same client interface. */
export function createIpcClient(bridge: PokerFaceBridge<File>): PokerFaceClient {
  return {
    transport: 'ipc',
    pickFolder: () => bridge.pickFolder(),
    onMenuCommand: (listener) => bridge.onMenuCommand(listener),
    async call(name, args) {
      const fn = bridge[name as RequestName] as (a: unknown) => Promise<Envelope<unknown>>
      return unwrap(await fn(args)) as never
    },
    // IPC delivers every event in order, so it never misses any (eventsMissed is the browser transport's).
    on: (event, listener) => (event === 'eventsMissed' ? () => undefined : bridge.on(event, listener)),
    ...desktopMediaUrls
  }
}
