import { DESKTOP_MEDIA_SCHEME, parseMediaPath, type MediaRequest } from '@shared/mediaUrls'

export type { MediaRequest }

/**
 * What a pf-media:// URL asks for (the grammar is src/shared/mediaUrls.ts, which the renderer's
 * IPC client builds them with); null for anything else, a malformed escape included, which the
 * protocol handler answers with 404. Ids only: nothing here can name a file.
 */
export function parseMediaUrl(url: string): MediaRequest | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return null
  }
  if (u.protocol !== `${DESKTOP_MEDIA_SCHEME}:` || u.username || u.password) return null
  try {
    return parseMediaPath(`${u.host}${u.pathname}`)
  } catch {
    return null
  }
}
