/**
 * The desktop window's security rules as plain data and pure functions, so each rule is tested
 * without Electron (test/unit/desktop.test.ts). src/main/index.ts only applies them.
 * Checklist: https://www.electronjs.org/docs/latest/tutorial/security
 */
import type { CustomScheme, WebPreferences } from 'electron'
import type { IpcEventLike } from '../ipc/register'
import { DESKTOP_MEDIA_SCHEME } from '@shared/mediaUrls'
import { contentSecurityPolicy } from '../server/static'

/** The app's own pages (the built renderer), served from inside app.asar, never from file://. */
export const APP_SCHEME = 'pf-app'
export const APP_HOST = 'studio'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_START_URL = `${APP_ORIGIN}/index.html`

/** Images by sample id (pf-media://thumb/<id>…; src/shared/mediaUrls.ts has the grammar). Never a path. */
export const MEDIA_SCHEME = DESKTOP_MEDIA_SCHEME

/**
 * Both schemes are "standard" (real origins, relative URLs resolve) and "secure". The page
 * scheme also needs fetch and CORS support for Vite's `<script type="module" crossorigin>`.
 * Neither bypasses the page's CSP.
 */
export const PRIVILEGED_SCHEMES: CustomScheme[] = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true } }
]

/** The main window's webPreferences: an isolated, sandboxed page with no Node and no webviews. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    // A file dropped outside the drop zone must not replace the app with a file:// page.
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false
  }
}

function parse(url: string | undefined | null): URL | null {
  if (!url) return null
  try {
    return new URL(url)
  } catch {
    return null
  }
}

/**
 * True for the app's own pages: pf-app://studio/…, or the dev server during `electron-vite dev`.
 * Compared by scheme, host and port, never by string prefix (pf-app://studio.evil.example).
 */
export function isOwnPage(url: string | undefined | null, devUrl?: string | null): boolean {
  const u = parse(url)
  if (!u) return false
  if (u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && !u.username && !u.password) return true
  const dev = parse(devUrl)
  return !!dev && (dev.protocol === 'http:' || dev.protocol === 'https:') && u.origin === dev.origin
}

/**
 * An IPC call is served only when it comes from the main window's top frame showing the app's
 * own page: not another window, not a subframe, not a page the window was navigated to.
 */
export function isTrustedSender(event: IpcEventLike, appContents: unknown, devUrl?: string | null): boolean {
  const frame = event.senderFrame
  if (!frame || appContents == null || event.sender !== appContents) return false
  return frame.parent == null && isOwnPage(frame.url, devUrl)
}

/**
 * The page may navigate only within itself (reload, in-app links). Anything else — a link to the
 * web, a dropped file, a redirect — is refused; https links go to the user's browser instead.
 */
export function navigationAllowed(url: string, devUrl?: string | null): boolean {
  return isOwnPage(url, devUrl)
}

/** Links the app may hand to the system browser: https only (no file:, smb:, custom handlers). */
export function externalLink(url: string): string | null {
  const u = parse(url)
  return u && u.protocol === 'https:' && !u.username && !u.password ? u.href : null
}

/** Permissions the page may use. Everything else (camera, geolocation, notifications…) is refused. */
const ALLOWED_PERMISSIONS = new Set(['clipboard-sanitized-write'])

export function permissionAllowed(permission: string, requestingUrl: string | undefined, devUrl?: string | null): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isOwnPage(requestingUrl, devUrl)
}

/**
 * The page's CSP: the same as browser mode, plus images from pf-media:. During development the
 * Vite dev server needs its inline preamble, its <style> elements (one per CSS import) and its
 * websocket; the built app needs none of them.
 */
export function desktopCsp(dev = false): string {
  return contentSecurityPolicy({
    imgSrc: [`${MEDIA_SCHEME}:`],
    scriptSrc: dev ? ["'unsafe-inline'"] : [],
    styleSrc: dev ? ["'unsafe-inline'"] : [],
    connectSrc: dev ? ['ws:'] : []
  })
}

/** Path of a pf-app:// request inside the built renderer, or null for any other host. */
export function appRequestPath(url: string): string | null {
  const u = parse(url)
  if (!u || u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null
  return u.pathname
}
