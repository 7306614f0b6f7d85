/**
 * What a media URL looks like, for both transports: the one place that builds them (the renderer's
 * two clients) and parses them (browser mode's server, Electron's pf-media:// handler). Pure: no
 * Node, no DOM. A URL names a sample by id, never a file, so nothing here can point at a path.
 *
 *   browser mode   /media/thumb/12   /media/full/12   /model-media/<model id>/<kind>/12
 *   Electron       pf-media://thumb/12   pf-media://full/12   pf-media://model/<model id>/<kind>/12
 */
import { ApiError, type ImageKind } from './api'
import { isModelId } from './modelId'
import { MODEL_IMAGE_KINDS, type ModelImageKind } from './models'

/** What a media URL asks for: a dataset image, or an image a model generated for a sample. */
export type MediaRequest =
  | { type: 'sample'; kind: ImageKind; sampleId: number }
  | { type: 'model'; modelId: string; kind: ModelImageKind; sampleId: number }

export interface MediaUrls {
  imageUrl(kind: ImageKind, sampleId: number): string
  modelImageUrl(modelId: string, kind: ModelImageKind, sampleId: number): string
}

export const DESKTOP_MEDIA_SCHEME = 'pf-media'
const BROWSER_SAMPLE_ROUTE = '/media/'
const BROWSER_MODEL_ROUTE = '/model-media/'

const IMAGE_KINDS: readonly string[] = ['thumb', 'full'] satisfies ImageKind[]

/** `thumb/12` or `model/<model id>/<kind>/12`: the part of a media URL both transports share. */
function mediaPath(request: MediaRequest): string {
  return request.type === 'sample'
    ? `${request.kind}/${request.sampleId}`
    : `model/${encodeURIComponent(request.modelId)}/${request.kind}/${request.sampleId}`
}

/** Browser mode's image URLs, under the server's `base` ('' for the page's own origin). */
export function browserMediaUrls(base: string): MediaUrls {
  return {
    imageUrl: (kind, sampleId) => `${base}${BROWSER_SAMPLE_ROUTE}${mediaPath({ type: 'sample', kind, sampleId })}`,
    modelImageUrl: (modelId, kind, sampleId) =>
      `${base}${BROWSER_MODEL_ROUTE}${mediaPath({ type: 'model', modelId, kind, sampleId }).slice('model/'.length)}`
  }
}

/** Electron's image URLs, answered by the main process's pf-media:// protocol handler. */
export const desktopMediaUrls: MediaUrls = {
  imageUrl: (kind, sampleId) => `${DESKTOP_MEDIA_SCHEME}://${mediaPath({ type: 'sample', kind, sampleId })}`,
  modelImageUrl: (modelId, kind, sampleId) => `${DESKTOP_MEDIA_SCHEME}://${mediaPath({ type: 'model', modelId, kind, sampleId })}`
}

// Fifteen digits stay below Number.MAX_SAFE_INTEGER, so an id never rounds to another sample's.
const SAMPLE_ID = /^\d{1,15}$/

/**
 * Reads a `mediaPath` back: null when it names no media (a wrong kind, id or shape: the caller
 * answers 404). A malformed percent-escape in the model id is the client's mistake and throws a
 * bad_request naming `modelId`.
 */
export function parseMediaPath(path: string): MediaRequest | null {
  const parts = path.split('/')
  const sampleId = parts.at(-1) ?? ''
  if (!SAMPLE_ID.test(sampleId)) return null
  if (parts.length === 2 && IMAGE_KINDS.includes(parts[0])) {
    return { type: 'sample', kind: parts[0] as ImageKind, sampleId: Number(sampleId) }
  }
  if (parts.length !== 4 || parts[0] !== 'model' || !(MODEL_IMAGE_KINDS as readonly string[]).includes(parts[2])) return null
  let modelId: string
  try {
    modelId = decodeURIComponent(parts[1])
  } catch {
    throw new ApiError('bad_request', `Malformed percent-escape in modelId: ${parts[1]}`, 'modelId')
  }
  return isModelId(modelId) ? { type: 'model', modelId, kind: parts[2] as ModelImageKind, sampleId: Number(sampleId) } : null
}

/**
 * The media a browser-mode URL path asks for; null when the path is not a media route or names
 * no media. Throws a bad_request for a malformed escape (see parseMediaPath).
 */
export function parseBrowserMediaPath(pathname: string): MediaRequest | null {
  if (pathname.startsWith(BROWSER_SAMPLE_ROUTE)) return parseMediaPath(pathname.slice(BROWSER_SAMPLE_ROUTE.length))
  if (pathname.startsWith(BROWSER_MODEL_ROUTE)) return parseMediaPath(`model/${pathname.slice(BROWSER_MODEL_ROUTE.length)}`)
  return null
}

/** True for the paths browser mode answers with media (even when they name none: those get 404, not the page). */
export function isBrowserMediaRoute(pathname: string): boolean {
  return pathname.startsWith(BROWSER_SAMPLE_ROUTE) || pathname.startsWith(BROWSER_MODEL_ROUTE)
}
