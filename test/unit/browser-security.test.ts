/**
 * Browser mode's guards, each against the real server (api-contract.test.ts covers the token on
 * API, image and event routes, a foreign Host and folder listings; this file the rest): loopback
 * only, the token on event streams and never in non-page URLs, cookie flags, fetch metadata,
 * path traversal into the built renderer's parent, and the page's security headers.
 */
import { request } from 'node:http'
import { connect } from 'node:net'
import { networkInterfaces } from 'node:os'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createContext, type AppContext } from '@main/api/context'
import { createApiHandlers } from '@main/api/service'
import { fetchMetadataAllowed } from '@main/server/auth'
import { startBrowserServer, type BrowserServer } from '@main/server/http'
import { CONTENT_SECURITY_POLICY } from '@main/server/static'
import { tempDir } from '../helpers/data'

const SECRET = 'do-not-serve-me'

interface Reply {
  status: number
  body: string
  headers: Record<string, string | string[] | undefined>
}

describe('browser mode security', () => {
  let ctx: AppContext
  let server: BrowserServer
  let host: string
  let cookie: string

  /** A raw request: the path goes on the wire exactly as written (no URL normalising on our side). */
  const call = (path: string, headers: Record<string, string> = {}, method = 'GET', port = server.port): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method, headers: { host, ...headers } }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
      })
      req.on('error', reject)
      req.end()
    })

  const reachable = (address: string, port: number): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = connect({ host: address, port, timeout: 2000 })
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
      socket.once('timeout', () => {
        socket.destroy()
        resolve(false)
      })
    })

  beforeAll(async () => {
    // The built renderer sits in <root>/renderer; <root> also holds files that must never be served.
    const root = await tempDir('pf-sec-')
    const staticDir = join(root, 'renderer')
    await mkdir(join(staticDir, 'assets'), { recursive: true })
    await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>PokerFace Studio</title>')
    await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log(1)')
    await writeFile(join(root, 'secret.txt'), SECRET)
    await writeFile(join(root, 'package.json'), JSON.stringify({ secret: SECRET }))
    ctx = createContext(await tempDir('pf-sec-home-'), '0.0.0')
    server = await startBrowserServer(ctx, createApiHandlers(ctx), { staticDir })
    host = `127.0.0.1:${server.port}`
    cookie = `pf_token_${server.port}=${server.token}`
  })
  afterAll(async () => {
    await server?.close()
    ctx?.db.close()
  })

  it('listens on 127.0.0.1 only', async () => {
    expect(await reachable('127.0.0.1', server.port)).toBe(true)
    // Not on IPv6 loopback, and not on any of this machine's network addresses.
    expect(await reachable('::1', server.port)).toBe(false)
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal)
      .map((a) => a!.address)
    for (const address of external) expect(await reachable(address, server.port), address).toBe(false)
  })

  it('serves the page only with the token, and sets an HttpOnly, SameSite=Strict cookie', async () => {
    expect((await call('/')).status).toBe(401)
    const page = await call(`/?token=${server.token}`)
    expect(page.status).toBe(200)
    const setCookie = String(page.headers['set-cookie'])
    expect(setCookie).toMatch(new RegExp(`^pf_token_${server.port}=`))
    expect(setCookie).toContain('HttpOnly')
    expect(setCookie).toContain('SameSite=Strict')
    expect(setCookie).toContain('Path=/')
    // The cookie carries later requests (scripts, images, the event stream).
    expect((await call('/assets/app.js', { cookie })).status).toBe(200)
  })

  it('sends the page with a strict CSP and no referrer', async () => {
    const page = await call('/', { cookie })
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'self'/)
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self';/)
    expect(CONTENT_SECURITY_POLICY).toMatch(/frame-ancestors 'none'/)
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/)
    expect(page.headers['referrer-policy']).toBe('no-referrer')
    expect(page.headers['x-content-type-options']).toBe('nosniff')
  })

  it('accepts a token in the URL on the page only, never on API, image or event URLs', async () => {
    const q = `?token=${server.token}`
    expect((await call(`/index.html${q}`)).status).toBe(200)
    expect((await call(`/api/events${q}`)).status).toBe(401)
    expect((await call(`/media/thumb/1${q}`)).status).toBe(401)
    expect((await call(`/assets/app.js${q}`)).status).toBe(401)
    expect((await call(`/api/call/listDatasets${q}`, { 'content-type': 'application/json' }, 'POST')).status).toBe(401)
  })

  it('lets a fresh ?token= in, even with a stale cookie from an earlier launch on the same port', async () => {
    const page = await call(`/?token=${server.token}`, { cookie: `pf_token_${server.port}=from-last-launch` })
    expect(page.status).toBe(200)
    expect((await call('/', { cookie: `pf_token_${server.port}=from-last-launch` })).status).toBe(401)
  })

  it('requires the token on the event stream, then streams events', async () => {
    expect((await call('/api/events')).status).toBe(401)
    expect((await call('/api/events', { cookie: `pf_token_${server.port}=wrong` })).status).toBe(401)
    const frame = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/api/events', headers: { host, cookie } }, (res) => {
        expect(res.statusCode).toBe(200)
        expect(res.headers['content-type']).toBe('text/event-stream')
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => {
          text += chunk
          if (text.includes(': connected')) ctx.events.emit('datasetChanged', { datasetId: 7 })
          if (text.includes('event: datasetChanged')) {
            req.destroy()
            resolve(text)
          }
        })
      })
      req.on('error', reject)
      req.end()
    })
    expect(frame).toContain('data: {"datasetId":7}')
  })

  it('drops an event stream whose client stopped reading once its queue passes the cap, with the reason as its last frame (slow SSE client)', async () => {
    const capped = await startBrowserServer(ctx, createApiHandlers(ctx), { maxQueuedEventBytes: 64 * 1024 })
    const capHost = `127.0.0.1:${capped.port}`
    const capCookie = `pf_token_${capped.port}=${capped.token}`
    const open = (): Promise<{ res: import('node:http').IncomingMessage; first: string }> =>
      new Promise((resolve, reject) => {
        const req = request({
          host: '127.0.0.1',
          port: capped.port,
          path: '/api/events',
          headers: { host: capHost, cookie: capCookie }
        })
        req.on('response', (res) => {
          res.setEncoding('utf8')
          res.once('data', (first: string) => resolve({ res, first }))
        })
        req.on('error', reject)
        req.end()
      })
    try {
      const stuck = await open()
      stuck.res.pause() // reads nothing more: the kernel's buffers fill, then the server's queue
      const live = await open()
      // EventSource reconnects by itself after a stream ends; `retry` says how soon.
      expect(stuck.first).toMatch(/^retry: \d+/)
      let liveText = ''
      live.res.on('data', (c: string) => (liveText += c))
      expect(capped.eventStreamCount()).toBe(2)

      const payload = { datasetId: 1, sampleIds: Array.from({ length: 2000 }, (_, i) => 100_000 + i) }
      let emitted = 0
      // Bounded: far beyond what loopback socket buffers hold (a few MB), far below the 100 MB of the attack round.
      while (capped.eventStreamCount() === 2 && emitted < 3000) {
        ctx.events.emit('labelsChanged', payload)
        emitted++
        await new Promise((r) => setImmediate(r)) // lets the live client read
      }
      expect(capped.eventStreamCount()).toBe(1)

      // The stuck client, once it reads again, gets what was queued, then the reason, then the end.
      const rest = await new Promise<string>((resolve) => {
        let text = stuck.first
        stuck.res.on('data', (c: string) => (text += c))
        stuck.res.on('end', () => resolve(text))
        stuck.res.resume()
      })
      expect(rest).toMatch(/event: dropped\ndata: \{"reason":"[^"]*reconnect[^"]*"\}\n\n$/)
      expect(rest.split('event: labelsChanged').length - 1).toBeLessThan(emitted)

      // The client that kept reading still streams, and got every event.
      ctx.events.emit('datasetChanged', { datasetId: 7 })
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (liveText.includes('event: datasetChanged')) resolve()
        }
        live.res.on('data', check)
        check()
      })
      expect(liveText.split('event: labelsChanged').length - 1).toBe(emitted)
      live.res.destroy()
    } finally {
      await capped.close()
    }
  })

  it.each([
    '/../package.json',
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/..%2fsecret.txt',
    '/%2e%2e%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '/assets/%2e%2e%5c%2e%2e%5csecret.txt',
    '/secret.txt%00.js',
    '/%E0%A4%A'
  ])('refuses %s without serving anything outside the build', async (path) => {
    const res = await call(path, { cookie })
    expect(res.status).toBe(404)
    expect(res.body).not.toContain(SECRET)
  })

  it('reads a protocol-relative path as the page, never as a file', async () => {
    // `//secret.txt` parses as host "secret.txt", path "/": the page, whatever the "host".
    const res = await call('//secret.txt', { cookie })
    expect(res.body).not.toContain(SECRET)
    expect(res.body).toContain('<title>PokerFace Studio</title>')
  })

  it('lists no folders', async () => {
    for (const path of ['/assets', '/assets/', '/assets/.', '/%2e/assets']) {
      const res = await call(path, { cookie })
      expect(res.status, path).toBe(404)
      expect(res.body).not.toContain('app.js')
    }
  })

  it('refuses Host headers that are not loopback on our port', async () => {
    for (const bad of [
      '127.0.0.1',
      `127.0.0.1.evil.example:${server.port}`,
      `evil.example:${server.port}`,
      `127.0.0.1:${server.port + 1}`
    ]) {
      expect((await call('/', { cookie, host: bad })).status, bad).toBe(403)
    }
    expect((await call('/', { cookie, host: `localhost:${server.port}` })).status).toBe(200)
  })

  it('refuses cross-site subresource and API requests, even carrying the cookie', async () => {
    const crossSite = { cookie, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' }
    expect((await call('/media/thumb/1', crossSite)).status).toBe(403)
    // Another port on this machine is the same *site*: its pages get the cookie, but not the data.
    const sameSite = { cookie, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' }
    expect((await call('/api/call/listDatasets', { ...sameSite, 'content-type': 'application/json' }, 'POST')).status).toBe(403)
    expect((await call('/api/events', { ...sameSite, 'sec-fetch-dest': 'empty' })).status).toBe(403)
    // A link from elsewhere (a notebook, a chat) may still open the printed URL.
    const navigate = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' }
    expect((await call(`/?token=${server.token}`, navigate)).status).toBe(200)
    expect((await call('/assets/app.js', { cookie, 'sec-fetch-site': 'same-origin', 'sec-fetch-dest': 'script' })).status).toBe(
      200
    )
  })

  it('decides fetch metadata by site, mode and destination', () => {
    const req = (method: string, headers: Record<string, string>) => ({ method, headers })
    expect(fetchMetadataAllowed(req('GET', {}))).toBe(true) // clients that send no metadata (curl, old browsers)
    expect(fetchMetadataAllowed(req('GET', { 'sec-fetch-site': 'none' }))).toBe(true) // typed in the address bar
    expect(fetchMetadataAllowed(req('POST', { 'sec-fetch-site': 'same-origin' }))).toBe(true)
    const nav = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' }
    expect(fetchMetadataAllowed(req('GET', nav))).toBe(true)
    expect(fetchMetadataAllowed(req('POST', nav))).toBe(false) // a cross-site form post
    expect(fetchMetadataAllowed(req('GET', { ...nav, 'sec-fetch-dest': 'iframe' }))).toBe(false)
  })
})
