import { ApiError, type ApiErrorCode } from './api'

/**
 * How a result or an error crosses a transport. Electron's IPC flattens thrown errors into a
 * message string, so the main side never throws across it: it returns one of these.
 */
export type Envelope<T> = { ok: true; result: T } | { ok: false; error: { code: ApiErrorCode; message: string } }

export async function toEnvelope<T>(run: () => Promise<T>): Promise<Envelope<T>> {
  try {
    return { ok: true, result: await run() }
  } catch (err) {
    if (err instanceof ApiError) return { ok: false, error: { code: err.code, message: err.message } }
    return { ok: false, error: { code: 'internal', message: (err as Error)?.message ?? String(err) } }
  }
}

export function unwrap<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.result
  throw new ApiError(envelope.error.code, envelope.error.message)
}

export const IPC_CALL_PREFIX = 'pf:call:'
export const IPC_EVENT_CHANNEL = 'pf:event'
