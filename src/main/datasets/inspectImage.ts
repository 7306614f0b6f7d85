import { createHash, type Hash } from 'node:crypto'
import { close as closeFd, constants, open as openFd, read as readFd } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { checkEnding, sniffHead, SNIFF_BYTES, TAIL_BYTES, type ImageFormat } from './sniff'
import { specialFileReason } from './skipReasons'
import { describeFsError } from './walk'

/**
 * Reads one image file of a dataset for the scan: what it is, and its content hash. The file is
 * read once, front to back, in chunks: the first SNIFF_BYTES decide whether it is an image at
 * all, and only an image under the size cap is read further (for the hash and the ending check).
 * Memory stays at one chunk per file, whatever the file's size.
 */

/** The largest file read as an image. A face image is kilobytes to a few megabytes; a
 * 24,000 × 24,000 RGBA PNG is ~2 GB decoded, far past anything the pipeline can use. */
export const MAX_IMAGE_BYTES = 256 * 1024 * 1024
const CHUNK_BYTES = 1024 * 1024

export type Inspection =
  | {
      ok: true
      format: ImageFormat
      size: number
      contentHash: string
      bytesRead: number
      /** The file's bytes, when asked for (`keepBytes`) and the file is no larger than that. */
      bytes?: Buffer
    }
  | {
      ok: false
      reason: string
      /**
       * 'content': the file's own bytes or size say so; the same file (same size and modification
       * time) gets the same verdict next time, so it may be remembered. 'access': reading failed
       * (permissions, vanished, not a regular file now); worth trying again next time.
       */
      about: 'content' | 'access'
      bytesRead: number
    }

// A named pipe opened for reading blocks until a writer comes; O_NONBLOCK makes open return at
// once, and fstat then refuses it. The walk already leaves pipes out; this covers a file replaced
// by one between the walk and the read. (Absent on Windows, where there are no such files.)
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toLocaleString('en', { maximumFractionDigits: 1 })} MB`
}

export interface InspectOptions {
  maxBytes?: number
  /**
   * Keep the bytes of files up to this size and return them: the scan decodes them for the
   * duplicate search from this one read instead of reading every file a second time.
   */
  keepBytes?: number
  /**
   * The size the folder's listing gave. A file up to CHUNK_BYTES still that size is read in one
   * call (open, read, close: half the file operations of the careful read, which was most of a
   * 300,000-face first open); one that is not is read the careful way.
   */
  listedSize?: number
  signal?: AbortSignal
}

export async function inspectImageFile(
  absPath: string,
  { maxBytes = MAX_IMAGE_BYTES, keepBytes = 0, listedSize, signal }: InspectOptions = {}
): Promise<Inspection> {
  const whole = listedSize !== undefined ? await readListedSize(absPath, listedSize, maxBytes) : null
  if (whole) return judgeWhole(whole, keepBytes)
  let handle: FileHandle
  try {
    handle = await open(absPath, OPEN_FLAGS)
  } catch (err) {
    return { ok: false, about: 'access', reason: `cannot read: ${describeFsError(err)}`, bytesRead: 0 }
  }
  try {
    return await inspectOpen(handle, maxBytes, keepBytes, signal)
  } catch (err) {
    if (signal?.aborted) throw err
    return { ok: false, about: 'access', reason: `cannot read: ${describeFsError(err)}`, bytesRead: 0 }
  } finally {
    await handle.close()
  }
}

/**
 * The whole file in one read, when it is small and still the size it was listed with (asking for
 * one byte more shows it has not grown); null otherwise, or when opening or reading fails (a file
 * gone, or replaced by a pipe or a folder since the listing): the careful read then says what it
 * is. Plain descriptors and callbacks, not a FileHandle and a promise per step: with the hash,
 * 45-47 µs a file against 70-77 µs (AffectNet's JPEGs from the page cache, 8-16 at once; issue 19).
 */
function readListedSize(absPath: string, listedSize: number, maxBytes: number): Promise<Buffer | null> {
  if (listedSize <= 0 || listedSize > CHUNK_BYTES || listedSize > maxBytes) return Promise.resolve(null)
  return new Promise((resolve) => {
    openFd(absPath, OPEN_FLAGS, (openError, fd) => {
      if (openError) return resolve(null)
      const buffer = Buffer.allocUnsafe(listedSize + 1)
      readFd(fd, buffer, 0, buffer.length, 0, (readError, bytesRead) => {
        closeFd(fd, () => resolve(!readError && bytesRead === listedSize ? buffer.subarray(0, listedSize) : null))
      })
    })
  })
}

function judgeWhole(bytes: Buffer, keepBytes: number): Inspection {
  const sniffed = sniffHead(bytes.subarray(0, SNIFF_BYTES), bytes.length)
  if (!sniffed.ok) return { ok: false, about: 'content', reason: sniffed.reason, bytesRead: bytes.length }
  const hash = createHash('sha256').update(bytes)
  return judgeRead(sniffed.format, bytes.subarray(-TAIL_BYTES), bytes.length, hash, bytes.length <= keepBytes ? bytes : null)
}

/** The verdict on an image file read to its end: whole if its ending is, with its content hash. */
function judgeRead(format: ImageFormat, tail: Buffer, size: number, hash: Hash, bytes: Buffer | null): Inspection {
  const ending = checkEnding(format, tail)
  if (!ending.ok) return { ok: false, about: 'content', reason: ending.reason, bytesRead: size }
  const found = { ok: true as const, format, size, contentHash: hash.digest('hex'), bytesRead: size }
  return bytes ? { ...found, bytes } : found
}

async function inspectOpen(handle: FileHandle, maxBytes: number, keepBytes: number, signal?: AbortSignal): Promise<Inspection> {
  const s = await handle.stat()
  if (!s.isFile()) return { ok: false, about: 'access', reason: specialFileReason(s), bytesRead: 0 }
  const head = Buffer.alloc(Math.min(SNIFF_BYTES, s.size))
  const { bytesRead: headRead } = await handle.read(head, 0, head.length, 0)
  const sniffed = sniffHead(head.subarray(0, headRead), s.size)
  if (!sniffed.ok) return { ok: false, about: 'content', reason: sniffed.reason, bytesRead: headRead }
  if (s.size > maxBytes) {
    return {
      ok: false,
      about: 'content',
      reason: `too large for an image: ${megabytes(s.size)} (the limit is ${megabytes(maxBytes)}); not read`,
      bytesRead: headRead
    }
  }
  const hash = createHash('sha256').update(head.subarray(0, headRead))
  let tail = Buffer.from(head.subarray(0, headRead))
  let total = headRead
  // Copies, like the tail: `chunk` is reused. Dropped if the file turns out larger than asked for.
  let kept: Buffer[] | null = s.size <= keepBytes ? [Buffer.from(head.subarray(0, headRead))] : null
  const chunk = Buffer.alloc(Math.max(1, Math.min(CHUNK_BYTES, s.size - headRead)))
  for (;;) {
    signal?.throwIfAborted()
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, total)
    if (bytesRead === 0) break
    total += bytesRead
    if (total > maxBytes) {
      return { ok: false, about: 'access', reason: `grew past ${megabytes(maxBytes)} while being read`, bytesRead: total }
    }
    const got = chunk.subarray(0, bytesRead)
    hash.update(got)
    if (kept && total <= keepBytes) kept.push(Buffer.from(got))
    else kept = null
    // Only the last TAIL_BYTES are kept, for the ending check: copied, since `chunk` is reused.
    tail =
      bytesRead >= TAIL_BYTES
        ? Buffer.from(got.subarray(bytesRead - TAIL_BYTES))
        : Buffer.concat([tail, got]).subarray(-TAIL_BYTES)
  }
  return judgeRead(sniffed.format, tail, total, hash, kept ? Buffer.concat(kept, total) : null)
}
