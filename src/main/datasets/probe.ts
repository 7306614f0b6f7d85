import { detectFormats } from '@shared/formats/detect'
import type { FormatCandidate } from '@shared/formats/types'
import { readHeads } from './labelFiles'
import { listImageFiles, type Listing } from './walk'

/** Detection on a listed folder: the names of its other files and the first lines of its text files. */
export async function detectListedFolder(listing: Listing): Promise<FormatCandidate[]> {
  const heads = await readHeads(listing.others)
  return detectFormats({
    files: listing.others.map((f) => f.relPath),
    heads,
    images: new Set(listing.files.map((f) => f.relPath))
  })
}

/** Lists a folder and says what it looks like, without opening it. */
export async function probeAndDetect(root: string): Promise<FormatCandidate[]> {
  return detectListedFolder(await listImageFiles(root))
}
