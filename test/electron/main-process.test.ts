/**
 * The built Electron main process (out/main/index.js) run under Node with a recording stand-in
 * for the `electron` module, so its wiring is checked where Electron cannot start: schemes
 * registered before `ready`, the sandboxed window on pf-app://, both protocols answering
 * (CSP, traversal, images by id), IPC refusing untrusted senders, navigation and new windows
 * refused, the menu and About box, the window state saved on close. Real database, real images;
 * only Electron is a stand-in. The real app is driven in smoke.test.ts where the binary exists.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { REQUEST_NAMES } from '@shared/api'
import { IPC_CALL_PREFIX } from '@shared/envelope'
import { HAS_BUILD, ROOT } from '../helpers/browser'
import { tempDir, writePng } from '../helpers/data'
import { MICRO_MODEL } from '../helpers/models'

type Handler = (...args: unknown[]) => unknown

const fake = vi.hoisted(() => {
  const calls: string[] = []
  const listeners = new Map<string, Handler[]>()
  const protocols = new Map<string, (req: Request) => Promise<Response>>()
  const ipc = new Map<string, Handler>()
  const windows: FakeWindow[] = []
  const dialogs: { type: string; options: unknown }[] = []
  const external: string[] = []
  let menu: unknown[] = []
  const paths = new Map<string, string>()
  let resolveReady: () => void = () => undefined
  const ready = new Promise<void>((r) => (resolveReady = r))

  class FakeContents {
    sent: unknown[][] = []
    scripts: string[] = []
    send(...args: unknown[]) {
      this.sent.push(args)
    }
    executeJavaScript(code: string) {
      this.scripts.push(code)
      return Promise.resolve()
    }
    undo() {}
    redo() {}
    on() {
      return this
    }
    setWindowOpenHandler() {}
  }
  class FakeWindow {
    webContents = new FakeContents()
    urls: string[] = []
    events = new Map<string, Handler[]>()
    progress: number[] = []
    constructor(readonly options: Record<string, unknown>) {
      windows.push(this)
      calls.push('BrowserWindow')
    }
    loadURL(url: string) {
      this.urls.push(url)
      return Promise.resolve()
    }
    on(event: string, fn: Handler) {
      this.events.set(event, [...(this.events.get(event) ?? []), fn])
      return this
    }
    once(event: string, fn: Handler) {
      return this.on(event, fn)
    }
    emit(event: string) {
      for (const fn of this.events.get(event) ?? []) fn({ preventDefault() {} })
    }
    show() {}
    maximize() {}
    setFullScreen() {}
    isMaximized() {
      return false
    }
    isFullScreen() {
      return false
    }
    isMinimized() {
      return false
    }
    getNormalBounds() {
      return { x: 10, y: 20, width: 1300, height: 850 }
    }
    setProgressBar(p: number) {
      this.progress.push(p)
    }
    focus() {}
    restore() {}
  }

  const electron = {
    app: {
      isPackaged: false,
      getAppPath: () => process.cwd(),
      getVersion: () => '0.1.0',
      setPath: (name: string, path: string) => void paths.set(name, path),
      enableSandbox: () => void calls.push('enableSandbox'),
      requestSingleInstanceLock: () => true,
      on: (event: string, fn: Handler) => void listeners.set(event, [...(listeners.get(event) ?? []), fn]),
      whenReady: () => {
        calls.push('whenReady')
        return ready
      },
      isReady: () => true,
      addRecentDocument: () => undefined,
      quit: () => void calls.push('quit'),
      exit: (code: number) => void calls.push(`exit ${code}`)
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown) => void calls.push(`registerSchemes ${JSON.stringify(schemes)}`),
      handle: (scheme: string, fn: (req: Request) => Promise<Response>) => void protocols.set(scheme, fn)
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Handler) => void listeners.set('permission-request', [fn]),
        setPermissionCheckHandler: (fn: Handler) => void listeners.set('permission-check', [fn]),
        setDevicePermissionHandler: (fn: Handler) => void listeners.set('device-permission', [fn]),
        on: (event: string, fn: Handler) => void listeners.set(`session ${event}`, [fn]),
        webRequest: { onHeadersReceived: () => undefined }
      }
    },
    ipcMain: {
      handle: (channel: string, fn: Handler) => void ipc.set(channel, fn),
      removeHandler: (channel: string) => void ipc.delete(channel)
    },
    BrowserWindow: FakeWindow,
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }] },
    dialog: {
      showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
      showMessageBox: async (...args: unknown[]) => {
        dialogs.push({ type: 'message', options: args.at(-1) })
        return { response: 0 }
      },
      showErrorBox: (title: string, content: string) => void dialogs.push({ type: 'error', options: { title, content } })
    },
    Menu: {
      buildFromTemplate: (template: unknown[]) => template,
      setApplicationMenu: (m: unknown[]) => {
        menu = m
      }
    },
    shell: { openExternal: async (url: string) => void external.push(url) }
  }
  return {
    electron,
    calls,
    listeners,
    protocols,
    ipc,
    windows,
    dialogs,
    external,
    paths,
    menu: () => menu,
    start: () => resolveReady()
  }
})

vi.mock('electron', () => fake.electron)

const skipReason = HAS_BUILD ? null : 'no build in out/ (run npm run build)'
if (skipReason) console.warn(`[electron main] skipped: ${skipReason}`)

describe.skipIf(skipReason !== null)('Electron main process wiring (built bundle, stand-in electron module)', () => {
  let dataset: string
  let dataDir: string
  const argv = process.argv
  const cwd = process.cwd()

  const get = (url: string) => fake.protocols.get(new URL(url).protocol.slice(0, -1))!(new Request(url))
  const win = () => fake.windows[0]
  const invoke = (name: string, args: unknown, frameUrl = 'pf-app://studio/index.html', sender: unknown = win().webContents) =>
    fake.ipc.get(IPC_CALL_PREFIX + name)!({ sender, senderFrame: { url: frameUrl, parent: null } }, args) as Promise<{
      ok: boolean
      result?: Record<string, unknown>
      error?: { message: string }
    }>

  beforeAll(async () => {
    dataset = join(await tempDir('pf-main-'), 'faces')
    await writePng(join(dataset, 'happy', 'a.png'), 40)
    await writePng(join(dataset, 'sad', 'b.png'), 120)
    dataDir = await tempDir('pf-main-home-')
    process.chdir(ROOT)
    // What `electron . <folder> --data-dir <dir>` gives main, plus a Chromium switch it must ignore.
    process.argv = ['/x/electron', '--inspect=0', ROOT, dataset, '--data-dir', dataDir]
    await import(/* @vite-ignore */ join(ROOT, 'out', 'main', 'index.js'))
    expect(fake.calls).toContain('whenReady')
    fake.start()
    await vi.waitFor(() => expect(fake.menu().length).toBeGreaterThan(0), { timeout: 60_000 })
    // Opening the start-up dataset builds the menu before the window exists (the window waits for
    // its saved state): on a busy machine that gap is long enough to race, so wait for the window too.
    await vi.waitFor(() => expect(fake.windows.length).toBeGreaterThan(0), { timeout: 60_000 })
  })
  afterAll(() => {
    process.argv = argv
    process.chdir(cwd)
  })

  it('registers its schemes and the sandbox before ready, and keeps Chromium’s profile in the data folder', () => {
    const order = fake.calls.map((c) => c.split(' ')[0])
    expect(order.indexOf('registerSchemes')).toBeLessThan(order.indexOf('whenReady'))
    expect(order.indexOf('enableSandbox')).toBeLessThan(order.indexOf('whenReady'))
    const schemes = JSON.parse(fake.calls.find((c) => c.startsWith('registerSchemes'))!.slice('registerSchemes '.length))
    expect(schemes.map((s: { scheme: string }) => s.scheme)).toEqual(['pf-app', 'pf-media'])
    expect(fake.paths.get('userData')).toBe(join(dataDir, 'electron'))
  })

  it('opens one sandboxed, isolated window on the app page, with the built preload', () => {
    expect(fake.windows).toHaveLength(1)
    const prefs = win().options.webPreferences as Record<string, unknown>
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false })
    expect(prefs.preload).toBe(join(ROOT, 'out', 'preload', 'index.cjs'))
    expect(existsSync(prefs.preload as string)).toBe(true)
    expect(win().urls).toEqual(['pf-app://studio/index.html'])
  })

  it('serves the built renderer over pf-app:// with the CSP, and nothing outside it', async () => {
    const page = await get('pf-app://studio/index.html')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self';.*img-src 'self' data: blob: pf-media:/)
    expect(await page.text()).toBe(readFileSync(join(ROOT, 'out', 'renderer', 'index.html'), 'utf8'))
    for (const url of ['pf-app://studio/..%2fmain%2findex.js', 'pf-app://studio/../main/index.js', 'pf-app://other/index.html']) {
      expect((await get(url)).status, url).toBe(404)
    }
  })

  it('opened the command-line folder and serves its images by sample id over pf-media://', async () => {
    const info = await invoke('getAppInfo', {})
    expect(info.ok).toBe(true)
    expect(info.result?.startupDatasetId).toEqual(expect.any(Number))
    expect(info.result?.dataDir).toBe(dataDir)
    const thumb = await get('pf-media://thumb/1')
    expect(thumb.status).toBe(200)
    expect(thumb.headers.get('content-type')).toMatch(/^image\//)
    expect((await get('pf-media://thumb/999')).status).toBe(404)
    expect((await get('pf-media://thumb/..%2f..%2fetc%2fpasswd')).status).toBe(404)
  })

  it('answers IPC only from its own window’s app page', async () => {
    for (const name of REQUEST_NAMES) expect(fake.ipc.has(IPC_CALL_PREFIX + name), name).toBe(true)
    expect(fake.ipc.has('pf:pickFolder')).toBe(true)
    expect((await invoke('listDatasets', {})).ok).toBe(true)
    const foreignPage = await invoke('listDatasets', {}, 'https://evil.example/')
    expect(foreignPage).toMatchObject({ ok: false, error: { message: expect.stringMatching(/untrusted/) } })
    expect((await invoke('listDatasets', {}, 'pf-app://studio/index.html', { other: 'window' })).ok).toBe(false)
    expect(
      await fake.ipc.get('pf:pickFolder')!({ sender: {}, senderFrame: { url: 'https://evil.example/', parent: null } })
    ).toBeNull()
  })

  /** A new web contents as main's web-contents-created listener sets it up. */
  const newContents = () => {
    const handlers = new Map<string, Handler>()
    const contents = {
      openHandler: (() => undefined) as Handler,
      on: (event: string, fn: Handler) => void handlers.set(event, fn),
      setWindowOpenHandler: (fn: Handler) => {
        contents.openHandler = fn
      }
    }
    for (const fn of fake.listeners.get('web-contents-created') ?? []) fn({}, contents)
    return { handlers, contents }
  }
  /** A cancellable Electron event; `prevented` says whether the listener refused it. */
  const cancellable = (fields: Record<string, unknown> = {}) => ({
    ...fields,
    prevented: false,
    preventDefault() {
      this.prevented = true
    }
  })

  it('refuses navigation and new windows in every web contents, sending https links to the browser', () => {
    const { handlers, contents } = newContents()
    const openHandler = contents.openHandler
    const navigate = (event: string, url: string) => {
      const e = cancellable({ url })
      handlers.get(event)!(e)
      return e.prevented
    }
    expect(navigate('will-navigate', 'https://example.com/')).toBe(true)
    expect(navigate('will-navigate', 'file:///etc/passwd')).toBe(true)
    expect(navigate('will-redirect', 'https://example.com/')).toBe(true)
    expect(navigate('will-navigate', 'pf-app://studio/index.html')).toBe(false)
    expect(navigate('will-attach-webview', 'pf-app://studio/index.html')).toBe(true)
    expect(openHandler({ url: 'https://github.com/' })).toEqual({ action: 'deny' })
    expect(openHandler({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
    expect(fake.external).toEqual(['https://github.com/'])
    const check = fake.listeners.get('permission-check')![0]
    expect(check(null, 'media', 'pf-app://studio')).toBe(false)
    expect(check(null, 'clipboard-sanitized-write', 'pf-app://studio')).toBe(true)
  })

  it('E1: refuses navigation in every frame, subframes included, through will-frame-navigate', () => {
    const { handlers } = newContents()
    const navigate = (url: string, isMainFrame: boolean) => {
      const e = cancellable({ url, isMainFrame })
      handlers.get('will-frame-navigate')!(e)
      return e.prevented
    }
    // will-navigate sees only the main frame; a subframe (an injected <iframe>) is seen here alone.
    expect(navigate('https://example.com/', false)).toBe(true)
    expect(navigate('file:///etc/passwd', false)).toBe(true)
    expect(navigate('https://example.com/', true)).toBe(true)
    expect(navigate('pf-app://studio/index.html', true)).toBe(false)
  })

  it('E2: grants no HID, serial or USB device and cancels every device chooser', () => {
    const devicePermission = fake.listeners.get('device-permission')?.[0]
    expect(devicePermission).toBeDefined()
    for (const deviceType of ['hid', 'serial', 'usb']) {
      expect(devicePermission!({ deviceType, origin: 'pf-app://studio', device: {} }), deviceType).toBe(false)
    }
    const check = fake.listeners.get('permission-check')![0]
    for (const permission of ['hid', 'serial', 'usb', 'bluetooth']) expect(check(null, permission, 'pf-app://studio')).toBe(false)
    // A chooser the page opens anyway (navigator.hid.requestDevice…) is cancelled explicitly, not
    // left to Electron's default for that device type.
    const choosers: [string, unknown][] = [
      ['select-hid-device', { deviceList: [{ deviceId: 'h1' }] }],
      ['select-serial-port', [{ portId: 's1' }]],
      ['select-usb-device', { deviceList: [{ deviceId: 'u1' }] }]
    ]
    for (const [event, devices] of choosers) {
      const listener = fake.listeners.get(`session ${event}`)?.[0]
      expect(listener, event).toBeDefined()
      const e = cancellable()
      const answers: unknown[][] = []
      const answer = (...args: unknown[]) => void answers.push(args)
      // select-serial-port passes the asking web contents before its callback.
      if (event === 'select-serial-port') listener!(e, devices, {}, answer)
      else listener!(e, devices, answer)
      expect(e.prevented, event).toBe(true)
      // Cancelling: hid and usb take no argument, serial an empty string.
      expect(answers, event).toEqual([event === 'select-serial-port' ? [''] : []])
    }
  })

  it('has the menu, and an About box that says no model is loaded', async () => {
    const menu = fake.menu() as { label?: string; role?: string; submenu?: { label?: string; click?: Handler }[] }[]
    expect(menu.map((m) => m.label ?? m.role)).toEqual(['&File', '&Edit', '&Review', '&View', 'windowMenu', '&Help'])
    const recent = menu[0].submenu!.find((i) => i.label === 'Open Recent') as { submenu: { label: string }[] }
    expect(recent.submenu[0].label).toContain(dataset)
    menu[5].submenu!.find((i) => i.label?.startsWith('About'))!.click!({}, undefined, {})
    await vi.waitFor(() => expect(fake.dialogs.length).toBeGreaterThan(0))
    const about = fake.dialogs.at(-1)!.options as { message: string; detail: string }
    expect(about.message).toBe('PokerFace Studio 0.1.0')
    expect(about.detail).toContain('Model: no model loaded')
    expect(about.detail).toContain(`Models folder: ${join(ROOT, 'resources', 'models')}`)
  })

  it('E5: sends menu actions to the page as typed commands, with no script run in it and no reload', () => {
    const menu = fake.menu() as {
      submenu?: { label?: string; click?: Handler; submenu?: { label: string; click: Handler }[] }[]
    }[]
    const click = (m: number, label: string) =>
      menu[m].submenu!.find((i) => i.label?.startsWith(label))!.click!({}, undefined, {})
    const sent = win().webContents.sent
    const before = sent.length
    click(2, 'Label as Neutral')
    click(1, 'Undo')
    menu[0].submenu!.find((i) => i.label === 'Open Recent')!.submenu![0].click({}, undefined, {})
    click(0, 'Close Dataset')
    expect(sent.slice(before)).toEqual([
      ['pf:menuCommand', { type: 'review', action: { type: 'label', label: 'neutral' } }],
      ['pf:menuCommand', { type: 'review', action: { type: 'undo' } }],
      ['pf:menuCommand', { type: 'openFolder', root: dataset }],
      ['pf:menuCommand', { type: 'closeDataset' }]
    ])
    expect(win().webContents.scripts).toEqual([])
    expect(win().urls).toEqual(['pf-app://studio/index.html'])
  })

  it('runs a model in the built worker, and the About box then names the model and its provider', async () => {
    const datasetId = (await invoke('getAppInfo', {})).result?.startupDatasetId
    const model = await invoke('addModel', { folder: MICRO_MODEL })
    expect(model.error).toBeUndefined()
    const started = await invoke('startInference', { datasetId, modelId: model.result?.id, provider: 'cpu', generate: false })
    expect(started.error).toBeUndefined()
    await vi.waitFor(async () => expect((await invoke('getInferenceJob', { datasetId })).result?.state).toBe('done'), {
      timeout: 120_000,
      interval: 200
    })
    const menu = fake.menu() as { submenu?: { label?: string; click?: Handler }[] }[]
    const before = fake.dialogs.length
    menu[5].submenu!.find((i) => i.label?.startsWith('About'))!.click!({}, undefined, {})
    await vi.waitFor(() => expect(fake.dialogs.length).toBeGreaterThan(before))
    expect((fake.dialogs.at(-1)!.options as { detail: string }).detail).toMatch(
      /Model: PF-ViT micro \(untrained, tests only\) 0\.1\.0 \(pfvit-micro-test\)\nExecution provider: cpu/
    )
  })

  it('saves the window state when the window closes', () => {
    win().emit('close')
    const state = JSON.parse(readFileSync(join(dataDir, 'window-state.json'), 'utf8'))
    expect(state).toEqual({ x: 10, y: 20, width: 1300, height: 850, maximized: false, fullScreen: false })
  })
})
