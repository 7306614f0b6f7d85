import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ApiError, REQUEST_NAMES, type ApiHandlers, type RequestName } from '@shared/api'
import { errorBody } from '@shared/envelope'
import type { AppContext } from '../api/context'
import { handleRequest, toApiError } from '../api/edge'
import { isBrowserMediaRoute, parseBrowserMediaPath } from '@shared/mediaUrls'
import { mediaImage } from '../media/mediaImage'
import { cookieName, fetchMetadataAllowed, hostAllowed, newToken, requestToken, tokensEqual } from './auth'
import { EventStreams, MAX_QUEUED_EVENT_BYTES } from './eventStreams'
import { CONTENT_SECURITY_POLICY, staticFile } from './static'

/** Larger request bodies are refused; the API's arguments are small JSON objects. */
const MAX_BODY_BYTES = 1 << 20

export interface BrowserServer {
  url: string
  port: number
  token: string
  /** Event streams open now (a stuck one is dropped: see eventStreams.ts). */
  eventStreamCount(): number
  close(): Promise<void>
}

export interface ServeOptions {
  /** 0 picks a free port. */
  port?: number
  /** The built renderer (out/renderer); without it only the API is served. */
  staticDir?: string | null
  token?: string
  /** Unsent event bytes a stream may hold before it is dropped (see eventStreams.ts). */
  maxQueuedEventBytes?: number
}

const STATUS: Record<string, number> = { not_found: 404, bad_request: 400, exists: 409, outside_root: 403, internal: 500 }

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' })
  res.end(body)
}

function sendError(res: ServerResponse, err: unknown): void {
  const apiErr = toApiError(err)
  send(res, STATUS[apiErr.code] ?? 500, JSON.stringify({ error: errorBody(apiErr) }), 'application/json')
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new ApiError('bad_request', 'Request body too large')
    chunks.push(chunk as Buffer)
  }
  if (size === 0) return {}
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new ApiError('bad_request', 'Request body is not valid JSON')
  }
}

/**
 * Browser mode: the same API table over HTTP on 127.0.0.1 only. Every request — page, script,
 * image, event stream — must carry the per-launch token and a loopback Host header.
 */
export async function startBrowserServer(
  ctx: AppContext,
  handlers: ApiHandlers,
  options: ServeOptions = {}
): Promise<BrowserServer> {
  const token = options.token ?? newToken()
  const names = new Set<string>(REQUEST_NAMES)
  const streams = new EventStreams(options.maxQueuedEventBytes ?? MAX_QUEUED_EVENT_BYTES)
  let port = 0

  const unsubscribe = ctx.events.subscribe((event, payload) => streams.send(event, payload))

  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)
      if (!hostAllowed(req.headers.host, port)) return send(res, 403, 'Forbidden: unexpected Host header')
      if (!fetchMetadataAllowed(req)) return send(res, 403, 'Forbidden: cross-site request')
      const given = requestToken(req, url, port)
      if (!given || !tokensEqual(given, token)) {
        return send(res, 401, 'Unauthorized: open the URL printed by `pokerface serve`, which carries the access token.')
      }

      if (url.pathname.startsWith('/api/call/')) {
        const name = url.pathname.slice('/api/call/'.length)
        if (req.method !== 'POST') return send(res, 405, 'Use POST')
        // A JSON content type forces a CORS preflight on cross-origin requests, which we never answer.
        if (!req.headers['content-type']?.startsWith('application/json')) return send(res, 415, 'Use application/json')
        if (!names.has(name)) throw new ApiError('not_found', `Unknown request: ${name}`)
        const result = await handleRequest(handlers, name as RequestName, await readJson(req))
        return send(res, 200, JSON.stringify({ result: result ?? null }), 'application/json')
      }

      if (url.pathname === '/api/events') return streams.open(res)

      if (isBrowserMediaRoute(url.pathname)) {
        // Images by sample id (src/shared/mediaUrls.ts); a malformed escape throws a 400 naming modelId.
        const media = parseBrowserMediaPath(url.pathname)
        if (!media) return send(res, 404, 'Not found')
        const image = await mediaImage(ctx, media)
        if (!image) return send(res, 404, 'Not generated yet')
        res.writeHead(200, {
          'content-type': image.contentType,
          // Thumbnails are content-addressed in the cache, but the id→file mapping can change on rescan.
          'cache-control': 'private, max-age=60',
          'x-content-type-options': 'nosniff'
        })
        return res.end(image.bytes)
      }

      if (req.method !== 'GET') return send(res, 405, 'Method not allowed')
      const file = options.staticDir ? await staticFile(options.staticDir, url.pathname) : null
      if (!file) return send(res, 404, 'Not found')
      const headers: Record<string, string> = {
        'content-type': file.type,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'referrer-policy': 'no-referrer'
      }
      // The first page load carries ?token=; later requests (scripts, <img>, EventSource) use this cookie.
      if (url.searchParams.has('token')) {
        headers['set-cookie'] = `${cookieName(port)}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`
      }
      res.writeHead(200, headers)
      res.end(file.body)
    } catch (err) {
      if (!res.headersSent) sendError(res, err)
      else res.end()
    }
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    eventStreamCount: () => streams.size,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe()
        streams.closeAll()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
