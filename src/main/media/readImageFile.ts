import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import { MAX_IMAGE_BYTES } from '../datasets/inspectImage'
import { specialFileReason } from '../datasets/skipReasons'
import { describeFsError } from '../datasets/walk'
import { ReadSlots } from './readSlots'

/**
 * Reads one image file of a dataset whole, for showing or decoding it: the one way the app reads
 * a dataset's pixels after the scan (thumbnails, full images, the emotion map, inference runs).
 * The scan's checks may be stale by now — a file can be replaced by a pipe, grow, or sit on a
 * share that stops answering — so each read checks again, and none can hold up other requests.
 */

/** Why a dataset image could not be read, in words a researcher can act on. */
export class ImageReadError extends Error {
  constructor(
    message: string,
    /** 'outside_root': the file (or a link on its way) leads outside its dataset folder. */
    readonly reason: 'outside_root' | 'unreadable' = 'unreadable'
  ) {
    super(message)
    this.name = 'ImageReadError'
  }
}

/** How long a caller waits for one read. A local image reads in milliseconds; this is for shares that hang. */
const READ_TIMEOUT_MS = 10_000

// Half the thread pool at most, so the other half keeps serving the cache, static files and sharp.
const POOL_THREADS = Number(process.env.UV_THREADPOOL_SIZE) || 4
const datasetReads = new ReadSlots(Math.max(1, Math.floor(POOL_THREADS / 2)))

// A named pipe opened for reading blocks until a writer comes; O_NONBLOCK makes open return at
// once (regular files ignore the flag), and fstat then refuses it. Absent on Windows, where there
// are no such files.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toLocaleString('en', { maximumFractionDigits: 1 })} MB`
}

interface ReadLimits {
  maxBytes?: number
  timeoutMs?: number
}

/**
 * Runs disk work on dataset files in one of the read slots (readSlots.ts): the caller has an
 * answer within `timeoutMs`, and a hung share can hold at most those slots, never the whole pool.
 */
export function onDatasetDisk<T>(work: () => Promise<T>, timeoutMs = READ_TIMEOUT_MS): Promise<T> {
  return datasetReads.run(
    work,
    timeoutMs,
    () => new ImageReadError(`the disk did not answer within ${timeoutMs / 1000} s (a stalled network share?)`)
  )
}

export function readImageFile(absPath: string, { maxBytes = MAX_IMAGE_BYTES, timeoutMs }: ReadLimits = {}): Promise<Buffer> {
  return onDatasetDisk(() => readRegularFile(absPath, maxBytes), timeoutMs)
}

/**
 * The read itself, for callers that already hold a slot (onDatasetDisk) for the work around it:
 * non-blocking open, regular files only, under the size cap.
 */
export async function readRegularFile(absPath: string, maxBytes = MAX_IMAGE_BYTES): Promise<Buffer> {
  const handle = await open(absPath, OPEN_FLAGS).catch((err: unknown) => {
    throw new ImageReadError((err as NodeJS.ErrnoException)?.code === 'ENOENT' ? 'file no longer on disk' : describeFsError(err))
  })
  try {
    const s = await handle.stat()
    if (!s.isFile()) throw new ImageReadError(specialFileReason(s))
    if (s.size === 0) throw new ImageReadError('empty file (0 bytes)')
    if (s.size > maxBytes) {
      throw new ImageReadError(`too large for an image: ${megabytes(s.size)} (the limit is ${megabytes(maxBytes)}); not read`)
    }
    // One byte more than fstat said, to notice a file that grows while it is read.
    const bytes = Buffer.alloc(s.size + 1)
    let total = 0
    for (;;) {
      const { bytesRead } = await handle.read(bytes, total, bytes.length - total, total)
      if (bytesRead === 0) break
      total += bytesRead
      if (total > s.size) throw new ImageReadError('the file grew while it was being read; try again')
    }
    return bytes.subarray(0, total)
  } catch (err) {
    throw err instanceof ImageReadError ? err : new ImageReadError(describeFsError(err))
  } finally {
    await handle.close()
  }
}
