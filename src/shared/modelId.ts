/**
 * What a model id may be: the one definition, used by model.json checks, the API, the CLI and the
 * generated-face cache. An id names a folder of that cache (cache/generated/<id>/…) and keys the
 * stored predictions, so it must be one plain path segment on every platform the app runs on:
 * never "." or "..", no separators or NUL, no name Windows reserves for devices, and short enough
 * that <cache>/<id>/<hash>.png stays well inside Windows' 260-character path limit.
 */

export const MODEL_ID_MAX_LENGTH = 64

// Starting and ending with a letter or digit rules out ".", "..", hidden names and the trailing
// dot or space that Windows silently drops (which would make two ids share one folder).
const MODEL_ID = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/
const WINDOWS_DEVICE = /^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\..*)?$/i

/** Why `id` cannot be a model id, or null when it can. */
export function modelIdProblem(id: unknown): string | null {
  if (typeof id !== 'string') return 'must be text'
  if (id.length === 0) return 'must not be empty'
  if (id.length > MODEL_ID_MAX_LENGTH) return `may be at most ${MODEL_ID_MAX_LENGTH} characters long (this one has ${id.length})`
  if (!MODEL_ID.test(id)) return 'may hold only letters, digits, ".", "_" and "-", and must start and end with a letter or digit'
  if (WINDOWS_DEVICE.test(id)) return `must not be "${id.split('.')[0]}", a name Windows reserves for devices`
  return null
}

export function isModelId(id: unknown): id is string {
  return modelIdProblem(id) === null
}
