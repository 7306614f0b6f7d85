/**
 * Electron main process: window, image protocol and IPC wiring only. Everything it serves comes
 * from the same API implementation that browser mode uses (./api).
 */
import { app, BrowserWindow, dialog, ipcMain, protocol, session } from 'electron'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ApiError } from '@shared/api'
import { createContext } from './api/context'
import { parseMediaPath, sampleImage } from './api/media'
import { createApiHandlers } from './api/service'
import { parseCliArgs } from './cli/args'
import { forwardEvents, registerIpcHandlers } from './ipc/register'
import { defaultDataDir } from './paths'
import { CONTENT_SECURITY_POLICY } from './server/static'

const MEDIA_SCHEME = 'pf-media'
protocol.registerSchemesAsPrivileged([{ scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true } }])

const here = dirname(fileURLToPath(import.meta.url))
const args = parseCliArgs(process.argv.slice(app.isPackaged ? 1 : 2))
const rendererIndex = join(here, '../renderer/index.html')
const devUrl = process.env.ELECTRON_RENDERER_URL

let mainWindow: BrowserWindow | null = null

function isOwnPage(url: string | undefined): boolean {
  if (!url) return false
  if (devUrl && url.startsWith(devUrl)) return true
  return url.split(/[?#]/)[0] === pathToFileURL(rendererIndex).href
}

async function main(): Promise<void> {
  await app.whenReady()
  const ctx = createContext(args.dataDir ?? defaultDataDir(), app.getVersion())
  const handlers = createApiHandlers(ctx)
  if (args.folder) ctx.startupDatasetId = (await handlers.openDataset({ root: args.folder })).dataset.id

  registerIpcHandlers(ipcMain, handlers, (event) => isOwnPage(event.senderFrame?.url))
  ipcMain.handle('pf:pickFolder', async (event) => {
    if (!isOwnPage(event.senderFrame?.url) || !mainWindow) return null
    const picked = await dialog.showOpenDialog(mainWindow, { properties: ['openDirectory'] })
    return picked.canceled ? null : (picked.filePaths[0] ?? null)
  })
  forwardEvents(ctx.events, () => mainWindow?.webContents ?? null)

  protocol.handle(MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url)
    const media = parseMediaPath(`/${url.host}${url.pathname}`)
    if (!media) return new Response('Not found', { status: 404 })
    try {
      const image = await sampleImage(ctx, media.kind, media.sampleId)
      return new Response(new Uint8Array(image.bytes), { headers: { 'content-type': image.contentType } })
    } catch (err) {
      return new Response((err as Error).message, { status: err instanceof ApiError && err.code === 'outside_root' ? 403 : 404 })
    }
  })

  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    const csp = CONTENT_SECURITY_POLICY.replace("img-src 'self'", `img-src 'self' ${MEDIA_SCHEME}:`)
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } })
  })

  mainWindow = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'PokerFace Studio',
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false
    }
  })
  mainWindow.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  mainWindow.webContents.on('will-navigate', (event, url) => {
    if (!isOwnPage(url)) event.preventDefault()
  })
  if (devUrl) await mainWindow.loadURL(devUrl)
  else await mainWindow.loadFile(rendererIndex)
}

app.on('window-all-closed', () => app.quit())
main().catch((err) => {
  dialog.showErrorBox('PokerFace Studio could not start', String(err?.stack ?? err))
  app.exit(1)
})
