import { readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { resolveInside } from '../paths'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2'
}

/** Reads one file of the built renderer. No directory listings: `/` is index.html, folders are 404. */
export async function staticFile(dir: string, urlPath: string): Promise<{ body: Buffer; type: string } | null> {
  let rel: string
  try {
    rel = urlPath === '/' ? 'index.html' : decodeURIComponent(urlPath).replace(/^\/+/, '')
  } catch {
    return null // malformed %-escape
  }
  // A backslash (a separator on Windows, `%5c`) or a NUL (`%00`) never names a file of the build;
  // `..` in any spelling is caught by resolveInside.
  if (rel.includes('\0') || rel.includes('\\')) return null
  const abs = resolveInside(dir, rel)
  if (!abs) return null
  try {
    return { body: await readFile(abs), type: TYPES[extname(abs)] ?? 'application/octet-stream' }
  } catch {
    return null // missing, or a folder (EISDIR)
  }
}

export interface CspExtras {
  imgSrc?: string[]
  scriptSrc?: string[]
  /** Only Vite's dev server, which injects each CSS import as a <style> element. */
  styleSrc?: string[]
  connectSrc?: string[]
}

/**
 * The page's Content-Security-Policy: scripts and styles from the app itself only, no plugins,
 * no <base>, no framing, no form posts. Each transport adds only the image source it serves
 * images from (pf-media: in the desktop app).
 */
export function contentSecurityPolicy(extra: CspExtras = {}): string {
  const list = (base: string[], more: string[] = []) => [...base, ...more].join(' ')
  return [
    "default-src 'self'",
    `script-src ${list(["'self'"], extra.scriptSrc)}`,
    // No inline styles: the built renderer links one stylesheet, and React's style={…} props go
    // through CSSOM, which style-src does not govern. An injected <style> or style="" is refused.
    `style-src ${list(["'self'"], extra.styleSrc)}`,
    `img-src ${list(["'self'", 'data:', 'blob:'], extra.imgSrc)}`,
    `connect-src ${list(["'self'"], extra.connectSrc)}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'"
  ].join('; ')
}

export const CONTENT_SECURITY_POLICY = contentSecurityPolicy()

export function staticDirNextTo(moduleDir: string): string {
  return join(moduleDir, '..', 'renderer')
}
