import type { ServerResponse } from 'node:http'

/**
 * Unsent bytes one event stream may hold before its client counts as stuck. A reading client
 * drains every event long before this (the largest, a labelsChanged carrying up to
 * CHANGED_ROWS_LIMIT grid rows, is a few hundred kB); a client that stopped reading — a frozen
 * tab, a dead SSH tunnel — once held every event in memory (the attack round: 108 → 128 MB, never
 * released).
 */
export const MAX_QUEUED_EVENT_BYTES = 1 << 20

/** How long a dropped stream may take to flush its last frames before its socket is closed anyway. */
const DROP_GRACE_MS = 10_000

/**
 * EventSource reconnects by itself after a stream ends, waiting `retry` ms. The reconnected
 * stream starts with the events from then on: events missed while stuck are not replayed, so a
 * client that sees `event: dropped` re-reads what it shows (the page's http client says
 * eventsMissed once it has reconnected).
 */
const RECONNECT_MS = 2000

/** The Server-Sent Events streams of browser mode, each with a bounded send queue. */
export class EventStreams {
  private readonly streams = new Set<ServerResponse>()

  constructor(private readonly maxQueuedBytes = MAX_QUEUED_EVENT_BYTES) {}

  get size(): number {
    return this.streams.size
  }

  open(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
    res.write(`retry: ${RECONNECT_MS}\n: connected\n\n`)
    this.streams.add(res)
    res.on('close', () => this.streams.delete(res))
  }

  send(event: string, payload: unknown): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`
    for (const res of this.streams) {
      // writableLength: bytes the socket has not handed to the kernel yet, i.e. what this client owes us.
      if (res.writableLength + Buffer.byteLength(frame) > this.maxQueuedBytes) this.drop(res)
      else res.write(frame)
    }
  }

  /** Ends a stuck stream with the reason as its last frame; the queue it holds is freed once flushed, or after the grace. */
  private drop(res: ServerResponse): void {
    this.streams.delete(res)
    const reason = `this client fell more than ${this.maxQueuedBytes} bytes of events behind; reconnect and re-read the current state`
    res.end(`event: dropped\ndata: ${JSON.stringify({ reason })}\n\n`)
    const timer = setTimeout(() => res.destroy(), DROP_GRACE_MS)
    timer.unref()
    res.once('close', () => clearTimeout(timer))
  }

  closeAll(): void {
    for (const res of this.streams) res.end()
    this.streams.clear()
  }
}
