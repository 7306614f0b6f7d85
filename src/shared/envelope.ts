import { ApiError, type ApiErrorCode } from './api'

/**
 * How a result or an error crosses a transport. Electron's IPC flattens thrown errors into a
 * message string, so the main side never throws across it: it returns one of these.
 */
export type Envelope<T> = { ok: true; result: T } | { ok: false; error: ErrorBody }

/** An ApiError as it crosses a transport (the IPC envelope, the HTTP error body). */
export interface ErrorBody {
  code: ApiErrorCode
  message: string
  field?: string
}

export function errorBody(err: ApiError): ErrorBody {
  return err.field === undefined
    ? { code: err.code, message: err.message }
    : { code: err.code, message: err.message, field: err.field }
}

/**
 * Runs a request for the IPC transport. The main side maps domain errors to ApiErrors before this
 * (src/main/api/edge.ts); anything else that still arrives here is reported as internal.
 */
export async function toEnvelope<T>(run: () => Promise<T>): Promise<Envelope<T>> {
  try {
    return { ok: true, result: await run() }
  } catch (err) {
    if (err instanceof ApiError) return { ok: false, error: errorBody(err) }
    return { ok: false, error: { code: 'internal', message: (err as Error)?.message ?? String(err) } }
  }
}

export function unwrap<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.result
  throw new ApiError(envelope.error.code, envelope.error.message, envelope.error.field)
}

export const IPC_CALL_PREFIX = 'pf:call:'
export const IPC_EVENT_CHANNEL = 'pf:event'
