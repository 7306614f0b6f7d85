/**
 * Why the scanner leaves an entry of a dataset folder unused, in the words the problems list
 * shows. Pure: the walk decides, these only say it, so the wording is tested without a disk.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** An entry's name as text, or null when its bytes are not valid UTF-8 (possible on Linux). */
export function decodeName(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes)
  } catch {
    return null
  }
}

/** The name as a person can read it: invalid bytes shown as U+FFFD, like file managers do. */
export function readableName(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes)
}

/**
 * A sample is stored, shown and exported by its relative path as text; a name that does not
 * survive the round trip to text could be listed but never opened again by that path.
 */
export function notUtf8Reason(bytes: Uint8Array, isFolder: boolean): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ')
  return (
    `${isFolder ? 'folder' : 'file'} name is not valid UTF-8 (bytes ${hex}), so it cannot be stored or shown by name: ` +
    `rename it to open it${isFolder ? ' and what it holds' : ''}`
  )
}

export interface SpecialEntry {
  isFIFO(): boolean
  isSocket(): boolean
  isCharacterDevice(): boolean
  isBlockDevice(): boolean
}

/** Named pipes, sockets and devices are never opened: opening a pipe blocks until a writer comes. */
export function specialFileReason(entry: SpecialEntry): string {
  const what = entry.isFIFO()
    ? 'a named pipe (FIFO)'
    : entry.isSocket()
      ? 'a socket'
      : entry.isCharacterDevice() || entry.isBlockDevice()
        ? 'a device'
        : 'neither a file nor a folder'
  return `not a regular file (${what}): not opened`
}

/** A folder reached a second time (a link back up, two links to one folder, a bind mount). */
export function alreadyListedReason(firstRelDir: string): string {
  const first = firstRelDir === '' ? 'the dataset folder itself' : `${firstRelDir}, already scanned`
  return `leads to ${first}: not followed again, so no image is counted twice`
}

const HIDDEN_NAMED = 5

/** One line per folder for its hidden entries (.DS_Store, .git…), which are never opened. */
export function hiddenReason(names: string[]): string {
  const sorted = [...names].sort()
  const shown = sorted.slice(0, HIDDEN_NAMED).join(', ')
  const more = sorted.length > HIDDEN_NAMED ? ` and ${sorted.length - HIDDEN_NAMED} more` : ''
  return `hidden (name starts with a dot), not opened: ${shown}${more}`
}
