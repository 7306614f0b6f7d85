import { ApiError, EVENT_NAMES, type ApiEvents, type EventName, type PokerFaceClient } from '@shared/api'
import { browserMediaUrls } from '@shared/mediaUrls'

/**
 * Browser mode: requests are POSTs to /api/call/<name>; events come over one EventSource.
 * The token arrives once in the page URL; the server then sets a same-site cookie that images
 * and the event stream carry, and we also send it as a header on every request.
 */
export function createHttpClient(base = ''): PokerFaceClient {
  const params = new URLSearchParams(window.location.search)
  const fromUrl = params.get('token')
  if (fromUrl) {
    sessionStorage.setItem('pf_token', fromUrl)
    // Keep the token out of the address bar (and out of screenshots); the rest of the address is a
    // dataset view (viewUrl.ts) and stays.
    params.delete('token')
    const rest = params.toString()
    window.history.replaceState(null, '', `${window.location.pathname}${rest ? `?${rest}` : ''}${window.location.hash}`)
  }
  const token = fromUrl ?? sessionStorage.getItem('pf_token') ?? ''

  const listeners = new Map<EventName, Set<(payload: unknown) => void>>()
  const emit = (name: EventName, payload: unknown): void => listeners.get(name)?.forEach((l) => l(payload))
  let source: EventSource | null = null
  const ensureSource = (): void => {
    if (source) return
    source = new EventSource(`${base}/api/events`)
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (e) => emit(name, JSON.parse((e as MessageEvent).data)))
    }
    // EventSource reconnects by itself; the new stream carries the events from then on only. So
    // a stream that was cut (the server dropped this page for falling behind, a network blip, a
    // tunnel restarted) says so once it is back, and the page re-reads what it shows.
    let cut: string | null = null
    source.addEventListener('dropped', (e) => {
      cut = (JSON.parse((e as MessageEvent).data) as { reason: string }).reason
    })
    source.addEventListener('error', () => {
      cut ??= 'the connection to the workspace server was interrupted'
    })
    source.addEventListener('open', () => {
      if (cut === null) return
      const reason = cut
      cut = null
      emit('eventsMissed', { reason })
    })
  }

  return {
    transport: 'http',
    pickFolder: null,
    async call(name, args) {
      const res = await fetch(`${base}/api/call/${name}`, {
        method: 'POST',
        // Without a token of its own (a copied link opened in a new tab) the page's cookie carries it;
        // an empty header would be taken as a wrong token.
        headers: { 'content-type': 'application/json', ...(token ? { 'x-pokerface-token': token } : {}) },
        body: JSON.stringify(args),
        credentials: 'same-origin'
      })
      const text = await res.text()
      let body: { result?: unknown; error?: { code: ApiError['code']; message: string; field?: string } }
      try {
        body = JSON.parse(text)
      } catch {
        throw new ApiError('internal', text || `HTTP ${res.status}`)
      }
      if (body.error) throw new ApiError(body.error.code, body.error.message, body.error.field)
      return body.result as never
    },
    on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void) {
      ensureSource()
      const set = listeners.get(event) ?? new Set()
      set.add(listener as (payload: unknown) => void)
      listeners.set(event, set)
      return () => set.delete(listener as (payload: unknown) => void)
    },
    ...browserMediaUrls(base)
  }
}
