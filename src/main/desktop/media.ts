import type { ImageKind } from '@shared/api'
import { parseMediaPath } from '../api/media'

/** What a pf-media:// URL asks for: a dataset image, or an image a model generated for a sample. */
export type MediaRequest =
  { type: 'sample'; kind: ImageKind; sampleId: number } | { type: 'model'; modelId: string; kind: string; sampleId: number }

/**
 * pf-media://thumb/<id>, pf-media://full/<id>, pf-media://model/<model id>/<kind>/<id> (the URLs
 * the renderer's IPC client builds). Ids only: nothing here can name a file.
 */
export function parseMediaUrl(url: string): MediaRequest | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return null
  }
  if (u.protocol !== 'pf-media:' || u.username || u.password) return null
  if (u.host === 'model') {
    const m = /^\/([^/]+)\/([a-z_]+)\/(\d+)$/.exec(u.pathname)
    if (!m) return null
    let modelId: string
    try {
      modelId = decodeURIComponent(m[1])
    } catch {
      return null
    }
    return { type: 'model', modelId, kind: m[2], sampleId: Number(m[3]) }
  }
  const media = parseMediaPath(`/${u.host}${u.pathname}`)
  return media ? { type: 'sample', ...media } : null
}
