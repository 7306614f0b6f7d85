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

/** The token a request carries: header, cookie (images, event streams) or ?token= (first page load). */
export function requestToken(req: IncomingMessage, url: URL, port: number): string | null {
  const auth = req.headers.authorization
  if (auth?.startsWith('Bearer ')) return auth.slice(7)
  const header = req.headers['x-pokerface-token']
  if (typeof header === 'string') return header
  const cookies = req.headers.cookie?.split(';').map((c) => c.trim()) ?? []
  const prefix = `${cookieName(port)}=`
  const fromCookie = cookies.find((c) => c.startsWith(prefix))
  if (fromCookie) return decodeURIComponent(fromCookie.slice(prefix.length))
  return url.searchParams.get('token')
}

/**
 * DNS-rebinding guard: a page on evil.example that resolves to 127.0.0.1 still sends its own
 * Host header. Only loopback names on our port are accepted.
 */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`
}
