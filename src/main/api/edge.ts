import { ApiError, REQUEST_NAMES, type ApiHandlers, type RequestName } from '@shared/api'
import { checkRequestArgs } from '@shared/requestSchemas'
import { ModelContractError } from '../inference/model'

/**
 * The one place a domain error becomes an API error, for both transports. Domain code throws
 * ApiError where it knows what the caller did wrong; the model contract has its own error (the
 * CLI prints its list of mismatches); anything else is a bug and answers 'internal'.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  if (err instanceof ModelContractError) return new ApiError('bad_request', err.message)
  // A folder the user chose that cannot be written (read-only, full, no permission) is theirs to fix, not a bug.
  if (isFileSystemRefusal(err)) return new ApiError('bad_request', err.message)
  console.error('[pokerface] internal error:', err)
  return new ApiError('internal', (err as Error)?.message ?? String(err))
}

const USER_FIXABLE_FS_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG'])

function isFileSystemRefusal(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException)?.code
  return err instanceof Error && typeof code === 'string' && USER_FIXABLE_FS_CODES.has(code)
}

/**
 * What both transport loops (IPC, HTTP) do with a request: check its arguments against the
 * request table (400 naming the field), run the handler, map what it throws. Handlers behind
 * this edge trust their arguments.
 */
export async function handleRequest(handlers: ApiHandlers, name: RequestName, raw: unknown): Promise<unknown> {
  const args = checkRequestArgs(name, raw)
  const handler = handlers[name] as (a: unknown) => Promise<unknown>
  try {
    return await handler(args)
  } catch (err) {
    throw toApiError(err)
  }
}

/**
 * The handler table behind the edge, for callers inside the process that pass on what a person
 * typed (the CLI's `--format`, `--model`): the same checks and error mapping as IPC and HTTP.
 */
export function behindEdge(handlers: ApiHandlers): ApiHandlers {
  const checked: Partial<Record<RequestName, (args: unknown) => Promise<unknown>>> = {}
  for (const name of REQUEST_NAMES) checked[name] = (args) => handleRequest(handlers, name, args)
  return checked as ApiHandlers
}
