/**
 * Electron main process: window, protocols, menu and IPC wiring only. The rules they follow are
 * pure modules in ./desktop (tested without Electron); the API is the same implementation that
 * browser mode serves (./api).
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session, shell } from 'electron'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ApiError, type ApiEvents } from '@shared/api'
import type { MenuCommand } from '@shared/menuCommands'
import { createContext, type AppContext } from './api/context'
import { createApiHandlers } from './api/service'
import { parseCliArgs } from './cli/args'
import { aboutBox, latestRun, type ModelInUse } from './desktop/about'
import { desktopArgs } from './desktop/args'
import { parseMediaUrl } from './desktop/media'
import { mediaImage } from './media/mediaImage'
import { buildMenuTemplate } from './desktop/menu'
import { sendMenuCommand } from './desktop/menuCommands'
import { electronSqliteBinding, explainStartupError } from './desktop/nativeModules'
import { bundledModelsDir } from './desktop/resources'
import {
  APP_SCHEME,
  APP_START_URL,
  appRequestPath,
  desktopCsp,
  externalLink,
  isTrustedSender,
  MEDIA_SCHEME,
  navigationAllowed,
  permissionAllowed,
  PRIVILEGED_SCHEMES,
  secureWebPreferences
} from './desktop/security'
import {
  fitToDisplays,
  MIN_HEIGHT,
  MIN_WIDTH,
  readWindowState,
  writeWindowStateSync,
  type WindowState
} from './desktop/windowState'
import { forwardEvents, registerDesktopHandlers, registerIpcHandlers } from './ipc/register'
import { defaultDataDir } from './paths'
import { staticFile } from './server/static'

// Before `ready`: custom schemes must be registered, and every renderer sandboxed.
protocol.registerSchemesAsPrivileged(PRIVILEGED_SCHEMES)
app.enableSandbox()

const here = dirname(fileURLToPath(import.meta.url))
const rendererDir = join(here, '../renderer')
const devUrl = app.isPackaged ? null : (process.env.ELECTRON_RENDERER_URL ?? null)
const args = parseCliArgs(desktopArgs(process.argv, app.isPackaged))
const dataDir = resolve(args.dataDir ?? defaultDataDir())
// Chromium's own profile lives beside the database, not mixed with it; one data folder, one app
// instance (the single-instance lock is per profile).
app.setPath('userData', join(dataDir, 'electron'))

let mainWindow: BrowserWindow | null = null
let ctx: AppContext
let handlers: ReturnType<typeof createApiHandlers>

const trusted = (event: Parameters<typeof isTrustedSender>[0]): boolean =>
  isTrustedSender(event, mainWindow?.webContents ?? null, devUrl)

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

async function main(): Promise<void> {
  await app.whenReady()
  const binding = electronSqliteBinding({
    appPath: app.getAppPath(),
    electronVersion: process.versions.electron,
    platform: process.platform,
    arch: process.arch,
    readFile: (path) => {
      try {
        return readFileSync(path, 'utf8')
      } catch {
        return null
      }
    }
  })
  if (binding.warning) console.warn(`[pokerface] ${binding.warning}`)
  ctx = createContext(
    dataDir,
    app.getVersion(),
    {
      modelsDir: bundledModelsDir({
        isPackaged: app.isPackaged,
        appPath: app.getAppPath(),
        resourcesPath: process.resourcesPath
      }),
      // The worker threads are built beside the main bundle (out/main/).
      workersDir: here
    },
    binding.path ? { nativeBinding: binding.path } : {}
  )
  handlers = createApiHandlers(ctx)

  hardenSession()
  registerProtocols()
  registerIpcHandlers(ipcMain, handlers, trusted)
  registerDesktopHandlers(ipcMain, { pickFolder }, trusted)
  forwardEvents(ctx.events, () => mainWindow?.webContents ?? null)
  ctx.events.subscribe((event, payload) => {
    if (event !== 'datasetChanged') return
    void refreshMenu()
    // Each dataset opened, whoever asked (command line, menu, a second launch, the page's own form),
    // joins the system's recent documents; this event comes only after a successful open.
    const { datasetId } = payload as ApiEvents['datasetChanged']
    void handlers
      .getDataset({ datasetId })
      .then((d) => app.addRecentDocument(d.root))
      .catch(() => undefined)
  })

  if (args.folder) await openStartupFolder(resolve(args.folder))
  await createWindow()
  await refreshMenu()
}

/** Permissions, devices, navigation and new windows, for every web contents the app will ever have. */
function hardenSession(): void {
  const ses = session.defaultSession
  ses.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(permissionAllowed(permission, details.requestingUrl, devUrl))
  )
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) => permissionAllowed(permission, requestingOrigin, devUrl))
  // The app talks to no hardware. No device is ever granted (WebHID, Web Serial, WebUSB), and a
  // device chooser the page opens anyway is cancelled here rather than left to Electron's default
  // for that device type (for Bluetooth, which needs no listener, the default is to cancel).
  ses.setDevicePermissionHandler(() => false)
  ses.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault()
    callback()
  })
  ses.on('select-serial-port', (event, _ports, _wc, callback) => {
    event.preventDefault()
    callback('')
  })
  ses.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault()
    callback()
  })
  if (devUrl) {
    // The dev server's pages: same policy, plus what Vite's hot reload needs.
    ses.webRequest.onHeadersReceived({ urls: [`${new URL(devUrl).origin}/*`] }, (details, callback) =>
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [desktopCsp(true)] } })
    )
  }
  app.on('web-contents-created', (_event, contents) => {
    const guard = (event: { preventDefault(): void; url: string }): void => {
      if (!navigationAllowed(event.url, devUrl)) event.preventDefault()
    }
    // will-navigate sees the main frame only; will-frame-navigate sees every frame, so an
    // injected <iframe> cannot be sent anywhere either. Both, in case one is ever skipped.
    contents.on('will-navigate', guard)
    contents.on('will-frame-navigate', guard)
    contents.on('will-redirect', guard)
    contents.on('will-attach-webview', (event) => event.preventDefault())
    contents.setWindowOpenHandler(({ url }) => {
      const link = externalLink(url)
      if (link) void shell.openExternal(link)
      return { action: 'deny' }
    })
  })
}

function registerProtocols(): void {
  // The built renderer, from inside app.asar; `..` cannot leave it (staticFile → resolveInside).
  protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET') return new Response('Method not allowed', { status: 405 })
    const path = appRequestPath(request.url)
    const file = path === null ? null : await staticFile(rendererDir, path)
    if (!file) return new Response('Not found', { status: 404 })
    return new Response(new Uint8Array(file.body), {
      headers: {
        'content-type': file.type,
        'content-security-policy': desktopCsp(),
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store'
      }
    })
  })

  // Images by sample id; the path is looked up and checked inside its dataset root (src/main/media).
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const media = parseMediaUrl(request.url)
    if (!media) return new Response('Not found', { status: 404 })
    const headers = { 'x-content-type-options': 'nosniff', 'cache-control': 'private, max-age=60' }
    try {
      const image = await mediaImage(ctx, media)
      if (!image) return new Response('Not generated yet', { status: 404 })
      return new Response(new Uint8Array(image.bytes), { headers: { ...headers, 'content-type': image.contentType } })
    } catch (err) {
      const status = err instanceof ApiError && err.code === 'outside_root' ? 403 : 404
      return new Response(message(err), { status })
    }
  })
}

async function createWindow(): Promise<void> {
  const saved = fitToDisplays(
    await readWindowState(dataDir),
    screen.getAllDisplays().map((d) => d.workArea)
  )
  const win = new BrowserWindow({
    ...(saved.x !== undefined && saved.y !== undefined ? { x: saved.x, y: saved.y } : {}),
    width: saved.width,
    height: saved.height,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    show: false,
    title: 'PokerFace Studio',
    webPreferences: secureWebPreferences(join(here, '../preload/index.cjs'))
  })
  mainWindow = win
  if (saved.maximized) win.maximize()
  if (saved.fullScreen) win.setFullScreen(true)
  win.once('ready-to-show', () => win.show())
  rememberWindowState(win)
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null
  })
  await loadApp()
}

/** Saves the window's place and size (its un-maximised bounds) while it moves and when it closes. */
function rememberWindowState(win: BrowserWindow): void {
  const current = (): WindowState => ({ ...win.getNormalBounds(), maximized: win.isMaximized(), fullScreen: win.isFullScreen() })
  const save = (): void => {
    try {
      writeWindowStateSync(dataDir, current())
    } catch (err) {
      console.warn(`[pokerface] could not save the window state: ${message(err)}`)
    }
  }
  let timer: NodeJS.Timeout | null = null
  const later = (): void => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(save, 500)
  }
  win.on('resize', later)
  win.on('move', later)
  win.on('maximize', later)
  win.on('unmaximize', later)
  win.on('enter-full-screen', later)
  win.on('leave-full-screen', later)
  win.on('close', () => {
    if (timer) clearTimeout(timer)
    save()
  })
}

async function loadApp(): Promise<void> {
  if (!mainWindow) return
  if (devUrl) await mainWindow.loadURL(devUrl)
  else await mainWindow.loadURL(APP_START_URL)
}

async function pickFolder(): Promise<string | null> {
  if (!mainWindow) return null
  const picked = await dialog.showOpenDialog(mainWindow, { title: 'Open a dataset folder', properties: ['openDirectory'] })
  return picked.canceled ? null : (picked.filePaths[0] ?? null)
}

/**
 * Opens the folder named on the command line before the window exists; the page starts on it
 * (getAppInfo().startupDatasetId), the way `pokerface serve <folder>` does.
 */
async function openStartupFolder(root: string): Promise<void> {
  try {
    const { dataset } = await handlers.openDataset({ root })
    ctx.startupDatasetId = dataset.id
  } catch (err) {
    await dialog.showMessageBox({ type: 'error', message: `Could not open ${root}`, detail: message(err) })
  }
}

/** A command for the page: it opens, closes and reviews through its own store (MenuCommand). */
function toPage(command: MenuCommand): void {
  sendMenuCommand(mainWindow?.webContents, command)
}

async function showAbout(): Promise<void> {
  const run = latestRun([...ctx.jobs.values()].map((job) => job.status))
  let model: ModelInUse | null = null
  if (run) {
    const info = (await handlers.listModels({}).catch(() => [])).find((m) => m.id === run.modelId)
    model = {
      id: run.modelId,
      name: info?.name ?? null,
      version: info?.version ?? null,
      provider: run.provider,
      threads: run.threads,
      state: run.state
    }
  }
  const box = aboutBox({
    productName: 'PokerFace Studio',
    version: app.getVersion(),
    versions: process.versions,
    platform: process.platform,
    arch: process.arch,
    dataDir,
    modelsDir: ctx.modelsDir,
    model
  })
  const options = { type: 'info' as const, buttons: ['OK'], ...box }
  if (mainWindow) await dialog.showMessageBox(mainWindow, options)
  else await dialog.showMessageBox(options)
}

/** The menu shown now, by its recent list: rebuilt only when that changes. */
let menuKey: string | null = null

async function refreshMenu(): Promise<void> {
  const recent = (await handlers.listDatasets({}).catch(() => [])).map((d) => ({ name: d.name, root: d.root }))
  const key = JSON.stringify(recent)
  if (key === menuKey) return
  menuKey = key
  const template = buildMenuTemplate(
    { platform: process.platform, appName: 'PokerFace Studio', isPackaged: app.isPackaged, recent },
    {
      openFolder: () => void pickFolder().then((root) => (root ? toPage({ type: 'openFolder', root }) : undefined)),
      send: toPage,
      editUndo: () => mainWindow?.webContents.undo(),
      editRedo: () => mainWindow?.webContents.redo(),
      showAbout: () => void showAbout()
    }
  )
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}

if (!app.requestSingleInstanceLock()) {
  // Another window already works on this data folder: it opens our folder (second-instance).
  app.quit()
} else {
  app.on('second-instance', (_event, argv, workingDirectory) => {
    if (!mainWindow) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
    const second = parseCliArgs(desktopArgs(argv, app.isPackaged))
    if (second.folder) toPage({ type: 'openFolder', root: resolve(workingDirectory, second.folder) })
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('activate', () => {
    if (app.isReady() && ctx && !mainWindow) void createWindow()
  })
  main().catch((err) => {
    dialog.showErrorBox('PokerFace Studio could not start', explainStartupError(err))
    app.exit(1)
  })
}
