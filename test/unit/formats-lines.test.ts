import { describe, expect, it } from 'vitest'
import { columnIndex, guessDelimiter, parseCsvLine, quoteCsv } from '@shared/formats/csv'
import { decodeText, encodeText, patchedChunks, patchLines, splitLines } from '@shared/formats/lines'

const bytes = (s: string) => encodeText(s)
const patch = (s: string, replacements: [number, string | null][], appended: string[] = []) =>
  decodeText(patchLines(bytes(s), splitLines(bytes(s)), new Map(replacements), appended))

describe('label files as lines', () => {
  it('splits on LF and CRLF, numbers from 1, and strips a byte-order mark from the text only', () => {
    const lines = splitLines(bytes('\uFEFFa,b\r\nc\n\nd'))
    expect(lines.map((l) => [l.number, l.text])).toEqual([
      [1, 'a,b'],
      [2, 'c'],
      [3, ''],
      [4, 'd']
    ])
    expect(splitLines(bytes('x\n'))).toHaveLength(1)
    expect(splitLines(new Uint8Array())).toEqual([])
  })

  it('replaces and drops lines keeping every other byte, each line its own ending, and the BOM', () => {
    expect(patch('a\r\nb\nc', [[2, 'B']])).toBe('a\r\nB\nc')
    expect(patch('a\r\nb\nc', [[2, null]])).toBe('a\r\nc')
    const withBom = bytes('\uFEFFa\nb\n')
    expect([...patchLines(withBom, splitLines(withBom), new Map([[1, 'A']]))]).toEqual([...bytes('\uFEFFA\nb\n')])
    expect(patch('a\r\nb', [], ['c'])).toBe('a\r\nb\r\nc\r\n')
    expect(patch('a\nb\n', [[2, null]], ['c'])).toBe('a\nc\n')
    const original = bytes('x\ny\n')
    expect(patchLines(original, splitLines(original), new Map())).toBe(original)
  })

  it('keeps bytes that are not valid UTF-8 on untouched lines', () => {
    const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x70, 0x6e, 0x67, 0x20, 0x31, 0x0a, 0x62, 0x20, 0x32, 0x0a]) // "café.png 1\nb 2\n" in Latin-1
    const out = patchLines(latin1, splitLines(latin1), new Map([[2, 'b 3']]))
    expect([...out.subarray(0, 11)]).toEqual([...latin1.subarray(0, 11)])
    expect(decodeText(out.subarray(11))).toBe('b 3\n')
  })
})

describe('CSV lines', () => {
  it('parses quoted fields and remembers where each field sits', () => {
    const line = 'fer0000000.png,"(0, 0, 48, 48)",4,0'
    const parsed = parseCsvLine(line)
    expect(parsed.ok && parsed.fields.map((f) => f.value)).toEqual(['fer0000000.png', '(0, 0, 48, 48)', '4', '0'])
    expect(parsed.ok && line.slice(parsed.fields[1].start, parsed.fields[1].end)).toBe('"(0, 0, 48, 48)"')
    expect(
      parseCsvLine('a,"say ""hi""",').ok &&
        (parseCsvLine('a,"say ""hi""",') as { fields: { value: string }[] }).fields.map((f) => f.value)
    ).toEqual(['a', 'say "hi"', ''])
    expect(parseCsvLine('a,"open')).toEqual({ ok: false, reason: 'a quoted field opened at column 3 is never closed' })
    expect(parseCsvLine('a\tb c', '\t').ok).toBe(true)
  })

  it('quotes only what needs quoting, guesses separators, finds columns by name or index', () => {
    expect(quoteCsv('happy')).toBe('happy')
    expect(quoteCsv('a, b')).toBe('"a, b"')
    expect(quoteCsv('a, b', '\t')).toBe('a, b')
    expect(guessDelimiter('path\tlabel')).toBe('\t')
    expect(guessDelimiter('path;label')).toBe(';')
    expect(guessDelimiter('a', 'list.tsv')).toBe('\t')
    expect(columnIndex(['path', 'emotion'], 'Emotion ')).toBe(1)
    expect(columnIndex(null, '2')).toBe(2)
    expect(columnIndex(['a'], 'b')).toBe(-1)
  })
})

describe('a patched file as pieces to write (issue 19: a 1 GB label file is never copied whole)', () => {
  it('joins to what patchLines gives, and its untouched pieces are views of the bytes read', () => {
    const original = bytes('h\r\na\r\nb\r\nc\r\n')
    const replacements = new Map<number, string | null>([
      [2, 'A'],
      [3, null]
    ])
    const chunks = patchedChunks(original, splitLines(original), replacements, ['d'])
    const joined = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
    chunks.reduce((at, c) => (joined.set(c, at), at + c.length), 0)
    expect(decodeText(joined)).toBe(decodeText(patchLines(original, splitLines(original), replacements, ['d'])))
    expect(decodeText(joined)).toBe('h\r\nA\r\nc\r\nd\r\n')
    expect(chunks[0].buffer).toBe(original.buffer)
  })
})

describe('lines read lazily', () => {
  it('gives each line its text (without the byte-order mark) and its byte offsets', () => {
    const lines = splitLines(bytes('\uFEFFé,1\r\nü,2'))
    expect(lines.map((l) => [l.number, l.text, l.start, l.contentEnd, l.end])).toEqual([
      [1, 'é,1', 0, 7, 9],
      [2, 'ü,2', 9, 13, 13]
    ])
  })
})
