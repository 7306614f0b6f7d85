import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** A fresh random token per launch: whoever can reach the port still needs it. */
export function newToken(): string {
  return randomBytes(24).toString('base64url')
}

export function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Cookie name carries the port: two instances on one host must not overwrite each other. */
export function cookieName(port: number): string {
  return `pf_token_${port}`
}

/** Where a ?token= is accepted: the printed URL's page only, never an API, image or event URL. */
const PAGE_PATHS = new Set(['/', '/index.html'])

/**
 * The token a request carries: a header (API calls), ?token= on the page itself (the printed URL),
 * or the cookie that page load sets (images, event streams). The page's ?token= wins over the
 * cookie: a restart on the same --port leaves the previous launch's cookie in the browser.
 */
export function requestToken(req: IncomingMessage, url: URL, port: number): string | null {
  const auth = req.headers.authorization
  if (auth?.startsWith('Bearer ')) return auth.slice(7)
  const header = req.headers['x-pokerface-token']
  if (typeof header === 'string') return header
  if (PAGE_PATHS.has(url.pathname) && url.searchParams.has('token')) return url.searchParams.get('token')
  const cookies = req.headers.cookie?.split(';').map((c) => c.trim()) ?? []
  const prefix = `${cookieName(port)}=`
  const fromCookie = cookies.find((c) => c.startsWith(prefix))
  if (!fromCookie) return null
  try {
    return decodeURIComponent(fromCookie.slice(prefix.length))
  } catch {
    return null
  }
}

/**
 * Fetch-metadata guard (https://web.dev/articles/fetch-metadata): another site — including another
 * port on this machine, which counts as the same site for SameSite cookies — may send the user
 * here by a link, but may not embed or call anything. Browsers that send no Sec-Fetch-* headers
 * are still held by the token.
 */
export function fetchMetadataAllowed(req: Pick<IncomingMessage, 'method' | 'headers'>): boolean {
  const site = req.headers['sec-fetch-site']
  if (site === undefined || site === 'same-origin' || site === 'none') return true
  return req.method === 'GET' && req.headers['sec-fetch-mode'] === 'navigate' && req.headers['sec-fetch-dest'] === 'document'
}

/**
 * DNS-rebinding guard: a page on evil.example that resolves to 127.0.0.1 still sends its own
 * Host header. Only loopback names on our port are accepted.
 */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`
}
