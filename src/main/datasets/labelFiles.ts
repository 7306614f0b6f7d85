import { createHash } from 'node:crypto'
import { open, readFile, stat } from 'node:fs/promises'
import { promisify } from 'node:util'
import { gunzip, gzip } from 'node:zlib'
import { ApiError } from '@shared/api'
import { MAX_LABEL_FILE_DEPTH, TEXT_LABEL_FILE } from '@shared/formats/detect'
import type { LabelFileBytes } from '@shared/formats/types'
import { resolveInside } from '../paths'
import type { StoredLabelFile } from '../store/sources'
import { describeFsError, type FoundFile } from './walk'

/**
 * Label files on disk: reading the starts of candidates for detection, reading the chosen ones
 * whole, and getting the exact bytes back at export time.
 */

/** Label files up to this size are kept (gzipped) in the database; bigger ones are re-read and checked. */
export const KEEP_LIMIT_BYTES = 64 * 1024 * 1024
const HEAD_BYTES = 64 * 1024
const MAX_HEADS = 40

const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** The first bytes of the text files near the top of the folder: enough to recognise a label file. */
export async function readHeads(others: FoundFile[]): Promise<LabelFileBytes[]> {
  const candidates = others
    .filter((f) => TEXT_LABEL_FILE.test(f.relPath) && f.relPath.split('/').length <= MAX_LABEL_FILE_DEPTH)
    .sort((a, b) => a.relPath.split('/').length - b.relPath.split('/').length || (a.relPath < b.relPath ? -1 : 1))
    .slice(0, MAX_HEADS)
  const heads = await Promise.all(
    candidates.map(async (f): Promise<LabelFileBytes | null> => {
      try {
        const handle = await open(f.absPath, 'r')
        try {
          const buffer = Buffer.alloc(Math.min(HEAD_BYTES, f.size))
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
          return { path: f.relPath, bytes: new Uint8Array(buffer.subarray(0, bytesRead)) }
        } finally {
          await handle.close()
        }
      } catch {
        return null // unreadable files are reported by the scan when they matter
      }
    })
  )
  return heads.filter((h): h is LabelFileBytes => h !== null)
}

export interface ReadLabelFile extends LabelFileBytes {
  size: number
  mtimeMs: number
  sha256: string
}

/** Reads the chosen label files whole; those that cannot be read are returned as reasons. */
export async function readLabelFiles(
  root: string,
  paths: string[]
): Promise<{ files: ReadLabelFile[]; missing: { relPath: string; reason: string }[] }> {
  const files: ReadLabelFile[] = []
  const missing: { relPath: string; reason: string }[] = []
  for (const relPath of paths) {
    const abs = resolveInside(root, relPath)
    if (!abs) {
      missing.push({ relPath, reason: 'label file path leads outside the dataset folder' })
      continue
    }
    try {
      const [bytes, s] = await Promise.all([readFile(abs), stat(abs)])
      files.push({
        path: relPath,
        bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        size: bytes.length,
        mtimeMs: Math.trunc(s.mtimeMs),
        sha256: sha256(bytes)
      })
    } catch (err) {
      missing.push({ relPath, reason: `label file cannot be read: ${describeFsError(err)}` })
    }
  }
  return { files, missing }
}

/** What the database keeps of a label file. */
export async function toStored(file: ReadLabelFile): Promise<StoredLabelFile> {
  return {
    relPath: file.path,
    size: file.size,
    mtimeMs: file.mtimeMs,
    sha256: file.sha256,
    content: file.size <= KEEP_LIMIT_BYTES ? await gzipAsync(file.bytes) : null
  }
}

/**
 * The exact bytes of a label file as it was read at the last scan: from the database when kept
 * there, otherwise from disk, checked against the hash recorded then. Labels never depend on this:
 * it only decides whether an export in the source format is possible.
 */
export async function labelFileBytes(root: string, stored: StoredLabelFile): Promise<LabelFileBytes> {
  if (stored.content) {
    const bytes = await gunzipAsync(stored.content)
    if (sha256(bytes) === stored.sha256) return { path: stored.relPath, bytes }
  }
  const abs = resolveInside(root, stored.relPath)
  let bytes: Buffer
  try {
    if (!abs) throw new Error('outside the dataset folder')
    bytes = await readFile(abs)
  } catch (err) {
    throw new ApiError(
      'not_found',
      `${stored.relPath} cannot be read (${describeFsError(err)}), and it was too large to keep a copy. ` +
        'Restore it, or export as CSV/JSON with provenance: your labels are all kept.'
    )
  }
  if (sha256(bytes) !== stored.sha256) {
    throw new ApiError(
      'bad_request',
      `${stored.relPath} has changed on disk since the dataset was opened. Reopen the dataset to read it again ` +
        '(your label changes are kept), then export.'
    )
  }
  // The Buffer itself (a Uint8Array): a copy of AffectNet's 1 GB training.csv took 4 s (issue 19).
  return { path: stored.relPath, bytes }
}
