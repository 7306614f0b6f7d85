/**
 * Label files as lines that remember their exact bytes. Readers parse the text; writers replace
 * only the lines whose label changed and copy every other byte through untouched — line endings,
 * a byte-order mark, odd spacing, comments, malformed lines — so an unchanged dataset exports
 * byte-identical files and a changed one differs only where the user changed it.
 */

export interface TextLine {
  /** 1-based line number. */
  number: number
  /** The line's text, without its line ending (and without a leading byte-order mark). */
  text: string
  /** Byte offset where the line starts. */
  start: number
  /** Byte offset just past the line's ending ('\n' or '\r\n'; equals `contentEnd` on a last line without one). */
  end: number
  /** Byte offset where the line's ending starts. */
  contentEnd: number
}

const decoder = new TextDecoder('utf-8')
const encoder = new TextEncoder()

/**
 * A line whose text is decoded when first read: a source export of a 1 GB AffectNet list reads the
 * text of the few lines it rewrites, and decoding all of them made a gigabyte of strings for the
 * garbage collector (issue 19).
 */
class Line implements TextLine {
  private decoded: string | undefined
  constructor(
    private readonly bytes: Uint8Array,
    readonly number: number,
    private readonly from: number,
    readonly start: number,
    readonly end: number,
    readonly contentEnd: number
  ) {}
  get text(): string {
    return (this.decoded ??= decoder.decode(this.bytes.subarray(this.from, this.contentEnd)))
  }
}

/** Splits a file into lines. A final line ending does not make an extra empty line. */
export function splitLines(bytes: Uint8Array): TextLine[] {
  const lines: TextLine[] = []
  let start = 0
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
  while (start < bytes.length) {
    let newline = bytes.indexOf(0x0a, start)
    if (newline === -1) newline = bytes.length
    const end = newline < bytes.length ? newline + 1 : newline
    const contentEnd = newline > start && bytes[newline - 1] === 0x0d ? newline - 1 : newline
    lines.push(new Line(bytes, lines.length + 1, start === 0 ? bom : start, start, end, contentEnd))
    start = end
  }
  return lines
}

/** The file's own line ending, for lines this app adds. */
export function lineEnding(bytes: Uint8Array, lines: TextLine[]): string {
  const first = lines.find((l) => l.end > l.contentEnd)
  return first && first.end - first.contentEnd === 2 ? '\r\n' : first ? '\n' : bytes.includes(0x0d) ? '\r\n' : '\n'
}

/**
 * Rebuilds a file with some lines replaced (by number; null leaves the line out) and new lines
 * added at the end. Untouched lines keep their exact bytes; a replaced line keeps its ending.
 */
export function patchLines(
  bytes: Uint8Array,
  lines: TextLine[],
  replacements: ReadonlyMap<number, string | null>,
  appended: readonly string[] = []
): Uint8Array {
  if (replacements.size === 0 && appended.length === 0) return bytes
  const chunks = patchedChunks(bytes, lines, replacements, appended)
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}

/**
 * `patchLines` as the pieces of the new file in order, mostly views of the old bytes: a 1 GB label
 * file is written out piece by piece instead of copied into a second gigabyte first (issue 19).
 */
export function patchedChunks(
  bytes: Uint8Array,
  lines: TextLine[],
  replacements: ReadonlyMap<number, string | null>,
  appended: readonly string[] = []
): Uint8Array[] {
  const chunks: Uint8Array[] = []
  let copyFrom = 0
  for (const line of lines) {
    if (!replacements.has(line.number)) continue
    chunks.push(bytes.subarray(copyFrom, line.start))
    const text = replacements.get(line.number)
    if (text !== null && text !== undefined) {
      // The first line keeps its byte-order mark.
      if (line.start === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) chunks.push(bytes.subarray(0, 3))
      chunks.push(encoder.encode(text), bytes.subarray(line.contentEnd, line.end))
    }
    copyFrom = line.end
  }
  chunks.push(bytes.subarray(copyFrom))
  if (appended.length > 0) {
    const eol = lineEnding(bytes, lines)
    const last = lines.at(-1)
    const needsBreak = last !== undefined && last.end === last.contentEnd && last.end > last.start
    const tail = (needsBreak && replacements.get(last.number) !== null ? eol : '') + appended.map((l) => l + eol).join('')
    chunks.push(encoder.encode(tail))
  }
  return chunks
}

export function encodeText(text: string): Uint8Array {
  return encoder.encode(text)
}

export function decodeText(bytes: Uint8Array): string {
  return decoder.decode(bytes)
}
