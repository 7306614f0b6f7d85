/**
 * E5 (issue #18): menu actions reach the page as typed commands, not synthesised key presses or
 * page reloads. The whole path with real parts: the menu template main builds, main's sender,
 * the preload bridge, the page's IPC client and review store, the API on a real SQLite file and
 * real PNGs. Only Electron's IPC is stood in for (it cannot run here), by a pair that structured-
 * clones every message the way Electron does. There is no window and no KeyboardEvent in this
 * process: a menu item that still synthesised a key press could not work here.
 */
import { join } from 'node:path'
import type { MenuItemConstructorOptions } from 'electron'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MenuCommand } from '@shared/menuCommands'
import { closeContext, createContext, type AppContext } from '@main/api/context'
import { createApiHandlers } from '@main/api/service'
import { buildMenuTemplate } from '@main/desktop/menu'
import { sendMenuCommand } from '@main/desktop/menuCommands'
import { registerIpcHandlers, type IpcMainLike } from '@main/ipc/register'
import { createIpcClient } from '@renderer/client/ipc'
import { runMenuCommand } from '@renderer/reviewCommands'
import { createReviewStore, type ReviewStore } from '@renderer/store'
import { buildBridge, type IpcRendererLike } from '../../src/preload/bridge'
import { tempDir, writePng } from '../helpers/data'

/** ipcMain, ipcRenderer and the window's webContents.send, joined by structured clones. */
function ipcPair(): { main: IpcMainLike; renderer: IpcRendererLike; window: { send(c: string, ...a: unknown[]): void } } {
  const handlers = new Map<string, (event: never, ...args: unknown[]) => unknown>()
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>()
  return {
    main: {
      handle: (channel, fn) => void handlers.set(channel, fn as never),
      removeHandler: (channel) => void handlers.delete(channel)
    },
    renderer: {
      invoke: async (channel, ...args) =>
        structuredClone(await handlers.get(channel)!({ senderFrame: null, sender: null } as never, ...structuredClone(args))),
      on: (channel, fn) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(fn)),
      removeListener: (channel, fn) => listeners.get(channel)?.delete(fn)
    },
    window: { send: (channel, ...args) => listeners.get(channel)?.forEach((fn) => fn({}, ...structuredClone(args))) }
  }
}

describe('E5: menu commands from main to the page', () => {
  let ctx: AppContext
  let store: ReviewStore
  let root: string
  let window: { send(c: string, ...a: unknown[]): void }
  /** Every command the page received, and the promise of the last one's run. */
  const received: MenuCommand[] = []
  let running: Promise<void> = Promise.resolve()

  beforeAll(async () => {
    root = await tempDir('pf-menu-')
    await writePng(join(root, 'happy', 'a.png'), 40)
    await writePng(join(root, 'sad', 'b.png'), 120)
    ctx = createContext(await tempDir('pf-menu-home-'), '0.0.0')
    const pair = ipcPair()
    window = pair.window
    registerIpcHandlers(pair.main, createApiHandlers(ctx), () => true)
    const client = createIpcClient(buildBridge(pair.renderer))
    store = createReviewStore(client)
    await store.getState().init()
    // What App.tsx does with the client's menu commands.
    client.onMenuCommand?.((command) => {
      received.push(command)
      running = runMenuCommand(store.getState(), command)
    })
  })
  afterAll(() => closeContext(ctx))

  /** Clicks a menu item the way Electron does, with the window main sends commands to. */
  const click = async (menu: string, label: string, triggeredByAccelerator = false): Promise<void> => {
    const template = buildMenuTemplate(
      { platform: 'linux', appName: 'PokerFace Studio', isPackaged: true, recent: [{ name: 'faces', root }] },
      {
        openFolder: () => undefined,
        send: (command) => sendMenuCommand(window, command),
        editUndo: () => undefined,
        editRedo: () => undefined,
        showAbout: () => undefined
      }
    )
    const items = template.find((m) => m.label?.replace('&', '') === menu)!.submenu as MenuItemConstructorOptions[]
    const item = items
      .flatMap((i) => [i, ...((i.submenu as MenuItemConstructorOptions[]) ?? [])])
      .find((i) => i.label?.startsWith(label))!
    ;(item.click as (...args: unknown[]) => void)({}, undefined, { triggeredByAccelerator })
    await running
  }
  const labels = () => [0, 1].map((i) => store.getState().sampleAt(i)?.currentLabel)

  it('E5: Open Recent opens the dataset in the page itself, showing its scan report, without a reload', async () => {
    await click('File', 'faces')
    expect(received.at(-1)).toEqual({ type: 'openFolder', root })
    expect(store.getState().dataset?.root).toBe(root)
    expect(store.getState().notice?.text).toMatch(/^Opened 2 images: 2 new/)
    expect(labels()).toEqual(['happiness', 'sadness'])
  })

  it('E5: a Review item relabels the sample under the cursor through the store, as its key does', async () => {
    await click('Review', 'Label as Anger')
    expect(received.at(-1)).toEqual({ type: 'review', action: { type: 'label', label: 'anger' } })
    expect(labels()).toEqual(['anger', 'sadness'])
    expect(store.getState().cursor).toBe(1) // labelled and advanced
    expect(store.getState().canUndo).toBe(true)
  })

  it('E5: Undo and Redo clicked in the menu undo and redo the relabel', async () => {
    await click('Edit', 'Undo')
    expect(received.at(-1)).toEqual({ type: 'review', action: { type: 'undo' } })
    expect(labels()).toEqual(['happiness', 'sadness'])
    await click('Edit', 'Redo')
    expect(labels()).toEqual(['anger', 'sadness'])
  })

  it('E5: review items do nothing while a panel is open, like their keys; Keyboard Shortcuts toggles the panel', async () => {
    await click('Help', 'Keyboard Shortcuts')
    expect(store.getState().overlay).toBe('help')
    await click('Review', 'Label as Fear')
    expect(labels()).toEqual(['anger', 'sadness'])
    await click('Help', 'Keyboard Shortcuts')
    expect(store.getState().overlay).toBeNull()
  })

  it('E5: Close Dataset returns to the start screen with the dataset in the recent list', async () => {
    await click('File', 'Close Dataset')
    expect(received.at(-1)).toEqual({ type: 'closeDataset' })
    expect(store.getState().dataset).toBeNull()
    expect(store.getState().total).toBe(0)
    expect(store.getState().recent.map((d) => d.root)).toEqual([root])
    // A review item with no dataset is ignored, not an error.
    await click('Review', 'Next Sample')
    expect(store.getState().notice?.kind).not.toBe('error')
  })
})
