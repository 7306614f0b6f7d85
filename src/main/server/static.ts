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
  const rel = urlPath === '/' ? 'index.html' : decodeURIComponent(urlPath).replace(/^\/+/, '')
  const abs = resolveInside(dir, rel)
  if (!abs) return null
  try {
    return { body: await readFile(abs), type: TYPES[extname(abs)] ?? 'application/octet-stream' }
  } catch {
    return null // missing, or a folder (EISDIR)
  }
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'"
].join('; ')

export function staticDirNextTo(moduleDir: string): string {
  return join(moduleDir, '..', 'renderer')
}
