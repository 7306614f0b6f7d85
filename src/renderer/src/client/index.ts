import type { PokerFaceClient } from '@shared/api'
import type { PokerFaceBridge } from '@shared/desktopBridge'
import { createHttpClient } from './http'
import { createIpcClient } from './ipc'

declare global {
  interface Window {
    pokerface?: PokerFaceBridge<File>
  }
}

/** The rest of the renderer sees only PokerFaceClient and never asks which transport it got. */
export function createClient(): PokerFaceClient {
  return window.pokerface ? createIpcClient(window.pokerface) : createHttpClient()
}
