import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ContentPositions } from '@main/store/contentPositions'

const sha = (s: string) => createHash('sha256').update(s).digest('hex')

/** Every position with this content, in order. */
function positions(table: ContentPositions, hash: string): number[] {
  const out: number[] = []
  for (let p = table.first(hash); p !== -1; p = table.next(p)) out.push(p)
  return out
}

describe('where each content hash sits among samples (the ranking joins samples to predictions by it)', () => {
  it('finds every position of each content, identical files in order, and nothing for an unknown hash', () => {
    const hashes = Array.from({ length: 2000 }, (_, i) => sha(`face ${i % 1500}`)) // 500 repeated contents
    const table = new ContentPositions(hashes.length)
    hashes.forEach((h) => table.add(h))
    for (let i = 0; i < 1500; i++) {
      const expected = hashes.flatMap((h, p) => (h === hashes[i] ? [p] : []))
      expect(positions(table, hashes[i])).toEqual(expected)
    }
    expect(table.first(sha('never added'))).toBe(-1)
  })

  it('tells apart hashes that share their first words (the table is probed on the first)', () => {
    const a = 'abcdef01' + '0'.repeat(56)
    const b = 'abcdef01' + '0'.repeat(55) + '1'
    const c = 'abcdef01' + '1' + '0'.repeat(55)
    const table = new ContentPositions(3)
    table.add(a)
    table.add(b)
    expect(positions(table, a)).toEqual([0])
    expect(positions(table, b)).toEqual([1])
    expect(table.first(c)).toBe(-1)
  })

  it('matches any other string exactly: uppercase hex, short ids, non-hex text', () => {
    const lower = sha('x')
    const upper = lower.toUpperCase()
    const table = new ContentPositions(5)
    for (const h of [lower, upper, 'empty', 'trunc', 'empty']) table.add(h)
    expect(positions(table, lower)).toEqual([0])
    expect(positions(table, upper)).toEqual([1])
    expect(positions(table, 'empty')).toEqual([2, 4])
    expect(positions(table, 'trunc')).toEqual([3])
    expect(table.first('g'.repeat(64))).toBe(-1)
    expect(table.first(lower.slice(0, 63) + 'G')).toBe(-1)
  })

  it('refuses more positions than it was made for', () => {
    const table = new ContentPositions(1)
    table.add(sha('a'))
    expect(() => table.add(sha('b'))).toThrow(RangeError)
  })
})
