/**
 * The desktop shell's rules, tested without Electron: every decision src/main/index.ts applies
 * (window options, which pages and senders are trusted, CSP, argv, native binding, window state,
 * menu, About box) is a pure function in src/main/desktop.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { EMOTIONS } from '@shared/emotions'
import type { InferenceJobStatus } from '@shared/inference'
import type { MenuCommand } from '@shared/menuCommands'
import { actionForKey, type ReviewAction } from '@shared/shortcuts'
import { aboutBox, latestRun, modelLine } from '@main/desktop/about'
import { desktopArgs } from '@main/desktop/args'
import { parseMediaUrl } from '@main/desktop/media'
import { buildMenuTemplate, LABEL_KEYS, REVIEW_KEYS, type MenuActions } from '@main/desktop/menu'
import { sendMenuCommand } from '@main/desktop/menuCommands'
import { electronSqliteBinding, explainStartupError } from '@main/desktop/nativeModules'
import { bundledModelsDir, unpackedPath } from '@main/desktop/resources'
import {
  APP_START_URL,
  appRequestPath,
  desktopCsp,
  externalLink,
  isOwnPage,
  isTrustedSender,
  navigationAllowed,
  permissionAllowed,
  PRIVILEGED_SCHEMES,
  secureWebPreferences
} from '@main/desktop/security'
import {
  DEFAULT_WINDOW_STATE,
  fitToDisplays,
  parseWindowState,
  readWindowState,
  windowStateFile,
  writeWindowStateSync
} from '@main/desktop/windowState'
import { DESKTOP_CHANNELS } from '@shared/desktopBridge'
import { registerDesktopHandlers, type IpcEventLike, type IpcMainLike } from '@main/ipc/register'
import { CONTENT_SECURITY_POLICY } from '@main/server/static'
import { buildBridge } from '../../src/preload/bridge'
import { tempDir } from '../helpers/data'
import { key } from '../helpers/keys'

const DEV = 'http://localhost:5173'

describe('window and page security', () => {
  it('isolates and sandboxes the page, with no Node, no webviews and no drag-to-navigate', () => {
    expect(secureWebPreferences('/app/out/preload/index.cjs')).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false
    })
  })

  it('registers its schemes as secure standard schemes that never bypass the CSP', () => {
    expect(PRIVILEGED_SCHEMES.map((s) => s.scheme)).toEqual(['pf-app', 'pf-media'])
    for (const s of PRIVILEGED_SCHEMES) {
      expect(s.privileges).toMatchObject({ standard: true, secure: true })
      expect(s.privileges?.bypassCSP).toBeFalsy()
    }
  })

  it.each([
    [APP_START_URL, null, true],
    ['pf-app://studio/', null, true],
    ['pf-app://studio/assets/index.js?x#y', null, true],
    ['pf-app://studio.evil.example/index.html', null, false],
    ['pf-app://other/index.html', null, false],
    ['pf-app://user:pw@studio/index.html', null, false],
    ['file:///opt/pokerface/resources/app.asar/out/renderer/index.html', null, false],
    ['https://studio/index.html', null, false],
    ['pf-media://thumb/1', null, false],
    [`${DEV}/`, DEV, true],
    [`${DEV}/src/main.tsx`, DEV, true],
    [`${DEV}/`, null, false],
    ['http://localhost:51730/', DEV, false],
    ['http://localhost:5173.evil.example/', DEV, false],
    ['https://localhost:5173/', DEV, false],
    ['', null, false],
    ['not a url', null, false]
  ])('isOwnPage(%s, dev=%s) is %s', (url, dev, own) => {
    expect(isOwnPage(url, dev)).toBe(own)
    expect(navigationAllowed(url, dev)).toBe(own)
  })

  it('serves IPC only to the main window top frame showing the app page', () => {
    const contents = { id: 1 }
    const ev = (over: Partial<IpcEventLike> = {}): IpcEventLike => ({
      sender: contents,
      senderFrame: { url: APP_START_URL, parent: null },
      ...over
    })
    expect(isTrustedSender(ev(), contents)).toBe(true)
    expect(isTrustedSender(ev({ sender: { id: 2 } }), contents)).toBe(false)
    expect(isTrustedSender(ev({ senderFrame: { url: APP_START_URL, parent: {} } }), contents)).toBe(false)
    expect(isTrustedSender(ev({ senderFrame: { url: 'https://evil.example/', parent: null } }), contents)).toBe(false)
    expect(isTrustedSender(ev({ senderFrame: null }), contents)).toBe(false)
    expect(isTrustedSender(ev(), null)).toBe(false)
  })

  it('hands only plain https links to the system browser', () => {
    expect(externalLink('https://github.com/x/y')).toBe('https://github.com/x/y')
    for (const url of [
      'http://example.com',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'https://u:p@h/',
      'x'
    ]) {
      expect(externalLink(url)).toBeNull()
    }
  })

  it('grants the page clipboard writes and nothing else', () => {
    expect(permissionAllowed('clipboard-sanitized-write', APP_START_URL)).toBe(true)
    expect(permissionAllowed('clipboard-sanitized-write', 'https://evil.example/')).toBe(false)
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'fullscreen']) {
      expect(permissionAllowed(p, APP_START_URL)).toBe(false)
    }
  })

  it('has a strict CSP that adds only pf-media: images to the browser-mode policy', () => {
    const csp = desktopCsp()
    expect(csp).toBe(CONTENT_SECURITY_POLICY.replace("img-src 'self' data: blob:", "img-src 'self' data: blob: pf-media:"))
    expect(csp).toMatch(/script-src 'self';/)
    expect(csp).not.toMatch(/unsafe-eval/)
    expect(csp).toMatch(/object-src 'none'/)
    expect(csp).toMatch(/frame-ancestors 'none'/)
    expect(csp).toMatch(/base-uri 'none'/)
    // Development only: Vite's inline preamble and hot-reload socket.
    expect(desktopCsp(true)).toMatch(/script-src 'self' 'unsafe-inline'/)
    expect(desktopCsp(true)).toMatch(/connect-src 'self' ws:/)
  })

  it('E4: allows no inline styles in the built app, in either transport; only the dev server gets them', () => {
    // React's style={…} props are set through CSSOM, which style-src does not govern; <style> tags and
    // style="" attributes (an injected stylesheet, a CSS exfiltration trick) are what it blocks.
    const styleSrc = (csp: string) => /(?:^|; )style-src ([^;]*)/.exec(csp)?.[1]
    expect(styleSrc(CONTENT_SECURITY_POLICY)).toBe("'self'")
    expect(styleSrc(desktopCsp())).toBe("'self'")
    // Vite's dev server injects each imported CSS file as a <style> element.
    expect(styleSrc(desktopCsp(true))).toBe("'self' 'unsafe-inline'")
  })

  it('grants no device access: HID, serial, USB and Bluetooth permissions are refused', () => {
    for (const p of ['hid', 'serial', 'usb', 'bluetooth', 'midi', 'midiSysex']) {
      expect(permissionAllowed(p, APP_START_URL), p).toBe(false)
    }
  })

  it('maps pf-app:// requests into the built renderer, for its own host only', () => {
    expect(appRequestPath('pf-app://studio/index.html')).toBe('/index.html')
    expect(appRequestPath('pf-app://studio/assets/a.js?v=1')).toBe('/assets/a.js')
    expect(appRequestPath('pf-app://studio/../../package.json')).toBe('/package.json')
    expect(appRequestPath('pf-app://other/index.html')).toBeNull()
    expect(appRequestPath('pf-media://thumb/1')).toBeNull()
  })

  it('reads images by id only from pf-media:// URLs', () => {
    expect(parseMediaUrl('pf-media://thumb/12')).toEqual({ type: 'sample', kind: 'thumb', sampleId: 12 })
    expect(parseMediaUrl('pf-media://full/3?cache=1')).toEqual({ type: 'sample', kind: 'full', sampleId: 3 })
    expect(parseMediaUrl('pf-media://model/pfvit-micro/poker_face/7')).toEqual({
      type: 'model',
      modelId: 'pfvit-micro',
      kind: 'poker_face',
      sampleId: 7
    })
    for (const url of [
      'pf-media://thumb/../../etc/passwd',
      'pf-media://thumb/1/2',
      'pf-media://full/abc',
      'pf-media://other/1',
      'pf-media://model/x/poker_face/..',
      'pf-media://model/%E0%A4%A/poker_face/1',
      'file:///etc/passwd',
      'pf-media://u:p@thumb/1'
    ]) {
      expect(parseMediaUrl(url), url).toBeNull()
    }
  })
})

describe('IPC beyond the API table', () => {
  const fakeIpc = () => {
    const handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => unknown>()
    const main: IpcMainLike = {
      handle: (channel, fn) => void handlers.set(channel, fn),
      removeHandler: (channel) => void handlers.delete(channel)
    }
    return { main, handlers }
  }

  it('asks for a folder only for a trusted sender, on the channel the preload uses', async () => {
    const { main, handlers } = fakeIpc()
    const pickFolder = vi.fn(async () => '/data/ferplus')
    const trusted = { value: true }
    const dispose = registerDesktopHandlers(main, { pickFolder }, () => trusted.value)
    const bridge = buildBridge({
      invoke: async (channel) => handlers.get(channel)?.({ sender: null, senderFrame: null }),
      on: () => undefined,
      removeListener: () => undefined
    })
    expect(await bridge.pickFolder()).toBe('/data/ferplus')
    trusted.value = false
    expect(await bridge.pickFolder()).toBeNull()
    expect(pickFolder).toHaveBeenCalledTimes(1)
    expect([...handlers.keys()]).toEqual([DESKTOP_CHANNELS.pickFolder])
    dispose()
    expect(handlers.size).toBe(0)
  })

  it('gives the page a dropped item’s path through webUtils, and nothing without it', () => {
    const ipc = { invoke: async () => null, on: () => undefined, removeListener: () => undefined }
    const file = { name: 'faces' } as unknown as File
    const withUtils = buildBridge(ipc, { getPathForFile: (f) => `/home/me/${(f as unknown as { name: string }).name}` })
    expect(withUtils.pathForFile(file)).toBe('/home/me/faces')
    expect(buildBridge(ipc).pathForFile(file)).toBe('')
  })
})

describe('command line under Electron', () => {
  it('drops Electron and Chromium switches and, in development, the app folder', () => {
    // What Playwright's _electron.launch runs: electron --inspect=0 --remote-debugging-port=0 <app> <args>
    expect(
      desktopArgs(
        ['/x/electron', '--inspect=0', '--remote-debugging-port=0', '/repo', '/data/faces', '--data-dir', '/tmp/h'],
        false
      )
    ).toEqual(['/data/faces', '--data-dir', '/tmp/h'])
    expect(desktopArgs(['/x/electron', '.'], false)).toEqual([])
    expect(desktopArgs(['/opt/PokerFace/pokerface-studio', '--no-sandbox', '/data/faces', '--data-dir=/tmp/h'], true)).toEqual([
      '/data/faces',
      '--data-dir=/tmp/h'
    ])
    expect(desktopArgs(['/Applications/PokerFace Studio.app/Contents/MacOS/PokerFace Studio', '-psn_0_12345'], true)).toEqual([])
    expect(desktopArgs(['C:\\PokerFace\\PokerFace Studio.exe', 'D:\\datasets\\RAF-DB', '--enable-logging'], true)).toEqual([
      'D:\\datasets\\RAF-DB'
    ])
  })
})

describe('native modules and shipped resources', () => {
  const manifest = { electron: '45.5.0', abi: '150', platform: 'linux', arch: 'x64', betterSqlite3: '12.11.1' }
  const query = (files: Record<string, string>, appPath = '/opt/pf/resources/app.asar') => ({
    appPath,
    electronVersion: '45.5.0',
    platform: 'linux',
    arch: 'x64',
    readFile: (p: string) => files[p] ?? null
  })

  it('loads the Electron-ABI better-sqlite3 from app.asar.unpacked when it was built for this Electron', () => {
    const dir = '/opt/pf/resources/app.asar.unpacked/native/electron'
    expect(electronSqliteBinding(query({ [`${dir}/manifest.json`]: JSON.stringify(manifest) }))).toEqual({
      path: `${dir}/better_sqlite3.node`,
      warning: null
    })
    // Development: the repository's native/electron.
    expect(electronSqliteBinding(query({ '/repo/native/electron/manifest.json': JSON.stringify(manifest) }, '/repo')).path).toBe(
      '/repo/native/electron/better_sqlite3.node'
    )
  })

  it('falls back to better-sqlite3’s own lookup, saying why, when the build is missing or for another Electron', () => {
    expect(electronSqliteBinding(query({}))).toEqual({ path: null, warning: null })
    const other = electronSqliteBinding(
      query({
        '/opt/pf/resources/app.asar.unpacked/native/electron/manifest.json': JSON.stringify({ ...manifest, electron: '44.0.0' })
      })
    )
    expect(other.path).toBeNull()
    expect(other.warning).toMatch(
      /Electron 44\.0\.0 on linux-x64, not Electron 45\.5\.0 on linux-x64; run npm run setup:electron/
    )
    expect(
      electronSqliteBinding(query({ '/opt/pf/resources/app.asar.unpacked/native/electron/manifest.json': '{' })).warning
    ).toMatch(/not valid JSON/)
  })

  it('names the fix when a native module was built for Node instead of Electron', () => {
    const err = new Error(
      "The module '/x/better_sqlite3.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 115. This version of Node.js requires NODE_MODULE_VERSION 150."
    )
    expect(explainStartupError(err)).toMatch(
      /^A native module \(better-sqlite3\) was built for Node\.js.*npm run setup:electron/s
    )
    expect(explainStartupError(new Error('disk full'))).toMatch(/^Error: disk full/)
  })

  it('finds the models in process.resourcesPath/models when packaged, resources/models otherwise', () => {
    expect(
      bundledModelsDir({ isPackaged: true, appPath: '/opt/pf/resources/app.asar', resourcesPath: '/opt/pf/resources' })
    ).toBe('/opt/pf/resources/models')
    expect(bundledModelsDir({ isPackaged: false, appPath: '/repo', resourcesPath: '/x/electron/resources' })).toBe(
      '/repo/resources/models'
    )
    expect(unpackedPath('/opt/pf/resources/app.asar/native/electron')).toBe('/opt/pf/resources/app.asar.unpacked/native/electron')
    expect(unpackedPath('/repo/native/electron')).toBe('/repo/native/electron')
  })
})

describe('remembered window state', () => {
  const screen = { x: 0, y: 0, width: 1920, height: 1040 }

  it('reads odd or missing files as the defaults', () => {
    expect(parseWindowState(null)).toEqual(DEFAULT_WINDOW_STATE)
    expect(parseWindowState({ width: 'wide', height: 20, x: 1.5, maximized: 'yes' })).toEqual(DEFAULT_WINDOW_STATE)
    expect(parseWindowState({ x: 10, y: 20, width: 1000, height: 700, maximized: true, fullScreen: false })).toEqual({
      x: 10,
      y: 20,
      width: 1000,
      height: 700,
      maximized: true,
      fullScreen: false
    })
  })

  it('keeps a window that is on a screen, and centres one whose screen is gone', () => {
    const saved = parseWindowState({ x: 100, y: 50, width: 1200, height: 800 })
    expect(fitToDisplays(saved, [screen])).toEqual(saved)
    const onUnpluggedMonitor = parseWindowState({ x: 2500, y: 100, width: 1200, height: 800 })
    const fitted = fitToDisplays(onUnpluggedMonitor, [screen])
    expect(fitted.x).toBeUndefined()
    expect(fitted.y).toBeUndefined()
    // Title bar above the top of the screen: not reachable, so centred too.
    expect(fitToDisplays(parseWindowState({ x: 100, y: -500, width: 1200, height: 800 }), [screen]).y).toBeUndefined()
    // Larger than any screen: shrinks to fit.
    expect(fitToDisplays(parseWindowState({ width: 4000, height: 3000 }), [screen])).toMatchObject({ width: 1920, height: 1040 })
  })

  it('writes window-state.json in the data folder and reads it back', async () => {
    const dir = await tempDir('pf-winstate-')
    expect(await readWindowState(dir)).toEqual(DEFAULT_WINDOW_STATE)
    const state = { x: 40, y: 30, width: 1280, height: 820, maximized: true, fullScreen: false }
    writeWindowStateSync(dir, state)
    expect(windowStateFile(dir)).toBe(join(dir, 'window-state.json'))
    expect(await readWindowState(dir)).toEqual(state)
    await writeFile(windowStateFile(dir), '{ broken')
    expect(await readWindowState(dir)).toEqual(DEFAULT_WINDOW_STATE)
    expect(await readFile(windowStateFile(dir), 'utf8')).toBe('{ broken')
  })
})

describe('application menu', () => {
  const actions = (): MenuActions & { sent: MenuCommand[] } => {
    const sent: MenuCommand[] = []
    return {
      sent,
      openFolder: vi.fn(),
      send: (command) => void sent.push(command),
      editUndo: vi.fn(),
      editRedo: vi.fn(),
      showAbout: vi.fn()
    }
  }
  const recent = Array.from({ length: 12 }, (_, i) => ({ name: `set${i}`, root: `/data/set${i}` }))
  const build = (platform: NodeJS.Platform, a = actions(), isPackaged = true) =>
    buildMenuTemplate({ platform, appName: 'PokerFace Studio', isPackaged, recent }, a)
  const menu = (template: MenuItemConstructorOptions[], label: string) =>
    template.find((m) => m.label?.replace('&', '') === label)?.submenu as MenuItemConstructorOptions[]
  const item = (items: MenuItemConstructorOptions[], label: string) =>
    items.find((i) => i.label?.startsWith(label)) as MenuItemConstructorOptions
  const click = (i: MenuItemConstructorOptions, triggeredByAccelerator = false) =>
    (i.click as (...args: unknown[]) => void)({}, undefined, { triggeredByAccelerator })
  const review = (action: ReviewAction): MenuCommand => ({ type: 'review', action })

  it('E5: every review item sends the page the typed action its key runs, never a synthesised key press', () => {
    const a = actions()
    const items = menu(build('linux', a), 'Review')
    LABEL_KEYS.forEach((k) => click(item(items, k.label)))
    REVIEW_KEYS.forEach((k) => click(item(items, k.label)))
    expect(a.sent).toEqual([
      ...EMOTIONS.map((label) => review({ type: 'label', label })),
      review({ type: 'label', label: null }),
      ...['left', 'right', 'up', 'down', 'pageUp', 'pageDown', 'home', 'end'].map((by) =>
        review({ type: 'move', by } as ReviewAction)
      )
    ])
    // The shown key and the sent action come from one table: the page's own keyboard map.
    for (const k of [...LABEL_KEYS, ...REVIEW_KEYS]) expect(review(actionForKey(key(k.key))!)).toEqual(a.sent.shift())
  })

  it('shows plain keys without ever registering them, so typing a path is never hijacked', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const template = build(platform)
      const plain = [...menu(template, 'Review'), item(menu(template, 'Help'), 'Keyboard Shortcuts')].filter((i) => i.label)
      for (const i of plain) {
        if (platform === 'darwin') expect(i.accelerator, i.label).toBeUndefined()
        else expect(i.registerAccelerator, i.label).toBe(false)
      }
    }
  })

  it('E5: undoes a relabel from the menu as a command, and leaves Ctrl+Z in text fields to the field', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      const a = actions()
      const edit = menu(build(platform, a), 'Edit')
      click(item(edit, 'Undo'))
      click(item(edit, 'Redo'))
      expect(a.sent).toEqual([review({ type: 'undo' }), review({ type: 'redo' })])
      click(item(edit, 'Undo'), true) // the page did not handle Ctrl+Z: a text field's undo
      click(item(edit, 'Redo'), true)
      expect(a.editUndo).toHaveBeenCalledTimes(1)
      expect(a.editRedo).toHaveBeenCalledTimes(1)
      expect(a.sent).toHaveLength(2)
    }
  })

  it('E5: opens recent datasets and closes the dataset by command to the page, not by reloading it', () => {
    const a = actions()
    const template = build('linux', a)
    const file = menu(template, 'File')
    click(item(file, 'Open Folder'))
    expect(a.openFolder).toHaveBeenCalled() // main shows the native dialog, then sends openFolder
    const recentItems = item(file, 'Open Recent').submenu as MenuItemConstructorOptions[]
    expect(recentItems).toHaveLength(10)
    click(recentItems[1])
    click(item(file, 'Close Dataset'))
    click(item(menu(template, 'Help'), 'Keyboard Shortcuts'))
    expect(a.sent).toEqual([{ type: 'openFolder', root: '/data/set1' }, { type: 'closeDataset' }, review({ type: 'help' })])
    click(item(menu(template, 'Help'), 'About'))
    expect(a.showAbout).toHaveBeenCalled()
  })

  it('follows each platform’s conventions', () => {
    const mac = build('darwin')
    expect(mac[0].label).toBe('PokerFace Studio')
    expect((mac[0].submenu as MenuItemConstructorOptions[])[0].label).toBe('About PokerFace Studio')
    expect(item(menu(mac, 'Help'), 'About')).toBeUndefined()
    const linux = build('linux')
    expect(linux.map((m) => m.label ?? m.role)).toEqual(['&File', '&Edit', '&Review', '&View', 'windowMenu', '&Help'])
    expect(menu(linux, 'File').some((i) => i.role === 'quit')).toBe(true)
    expect(menu(linux, 'View').some((i) => i.role === 'toggleDevTools')).toBe(false)
    expect(menu(build('linux', actions(), false), 'View').some((i) => i.role === 'toggleDevTools')).toBe(true)
  })

  it('E5: main sends a command to the window on the channel the preload listens on, and the bridge unsubscribes', () => {
    const sent: unknown[][] = []
    sendMenuCommand({ send: (...args) => void sent.push(args) }, { type: 'closeDataset' })
    sendMenuCommand(null, { type: 'closeDataset' }) // no window: nothing to do, no error
    expect(sent).toEqual([[DESKTOP_CHANNELS.menuCommand, { type: 'closeDataset' }]])
    const listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>()
    const bridge = buildBridge({
      invoke: async () => null,
      on: (channel, fn) => void listeners.set(channel, fn),
      removeListener: (channel) => void listeners.delete(channel)
    })
    const got: MenuCommand[] = []
    const off = bridge.onMenuCommand((command) => got.push(command))
    listeners.get(DESKTOP_CHANNELS.menuCommand)!({}, { type: 'openFolder', root: '/data/x' })
    expect(got).toEqual([{ type: 'openFolder', root: '/data/x' }])
    off()
    expect(listeners.size).toBe(0)
  })
})

describe('About box', () => {
  const run = (over: Partial<InferenceJobStatus>): InferenceJobStatus => ({
    jobId: 1,
    datasetId: 1,
    modelId: 'pfvit-base',
    state: 'done',
    total: 10,
    alreadyDone: 0,
    done: 10,
    failed: 0,
    imagesPerSecond: 50,
    etaSeconds: 0,
    provider: 'cpu',
    threads: 8,
    batchSize: 16,
    warnings: [],
    message: null,
    startedAt: '2026-01-01T10:00:00.000Z',
    modelReadyAt: null,
    finishedAt: '2026-01-01T10:01:00.000Z',
    ...over
  })

  it('says no model is loaded until one has run', () => {
    expect(modelLine(null)).toBe('Model: no model loaded')
    const box = aboutBox({
      productName: 'PokerFace Studio',
      version: '0.1.0',
      versions: { electron: '45.5.0', chrome: '140.0', node: '22.20.0' },
      platform: 'linux',
      arch: 'x64',
      dataDir: '/home/me/.local/share/pokerface-studio',
      modelsDir: '/opt/pf/resources/models',
      model: null
    })
    expect(box.message).toBe('PokerFace Studio 0.1.0')
    expect(box.detail).toContain('Model: no model loaded')
    expect(box.detail).toContain('Electron 45.5.0 · Chromium 140.0 · Node.js 22.20.0')
    expect(box.detail).toContain('Data folder: /home/me/.local/share/pokerface-studio')
  })

  it('names the model and the execution provider of the running or latest run', () => {
    const older = run({ jobId: 1, startedAt: '2026-01-01T09:00:00.000Z', provider: 'cuda' })
    const newer = run({ jobId: 2, startedAt: '2026-01-01T11:00:00.000Z' })
    expect(latestRun([older, newer])?.jobId).toBe(2)
    const running = run({ jobId: 3, state: 'running', startedAt: '2026-01-01T08:00:00.000Z', provider: 'dml', threads: null })
    expect(latestRun([older, newer, running])?.jobId).toBe(3)
    expect(latestRun([])).toBeNull()
    expect(
      modelLine({ id: 'pfvit-base', name: 'PF-ViT base', version: '1.0', provider: 'cuda', threads: null, state: 'running' })
    ).toBe('Model: PF-ViT base 1.0 (pfvit-base)\nExecution provider: cuda (running)')
    expect(modelLine({ id: 'pfvit-base', name: null, version: null, provider: 'cpu', threads: 8, state: 'done' })).toBe(
      'Model: pfvit-base\nExecution provider: cpu, 8 threads (last run done)'
    )
  })
})
