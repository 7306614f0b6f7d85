import { describe, expect, it } from 'vitest'
import { countOf, idMembership, pageOf, positionOf, sortRows, walkOrder } from '@main/review/scoreOrder'

/** The order sortRows promises, by a comparator: group, key in its direction, row number. */
function byComparator(keys: Float64Array, groups: Uint8Array, descending: boolean): number[] {
  const rows = Array.from(keys, (_, i) => i)
  const key = (r: number): number => (Number.isNaN(keys[r]) ? 0 : keys[r])
  return rows.sort((a, b) => groups[a] - groups[b] || (descending ? key(b) - key(a) : key(a) - key(b)) || a - b)
}

/** Deterministic pseudo-random numbers (a linear congruential generator), so a failure repeats. */
function numbers(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

describe('score orders kept in memory (issue 19)', () => {
  it('sorts as a comparator does: groups, then keys either way, ties by row, over every kind of double', () => {
    const random = numbers(7)
    const special = [0, -0, 1, -1, 0.5, 1e-300, -1e-300, 1e300, -1e300, Number.MIN_VALUE, 2 ** 53, -(2 ** 53)]
    for (const n of [0, 1, 2, 50, 3000]) {
      const keys = new Float64Array(n)
      const groups = new Uint8Array(n)
      for (let i = 0; i < n; i++) {
        const pick = random()
        // Many ties (a few distinct scores), specials, and scores spread over 0..1 like the ranking's.
        keys[i] =
          pick < 0.3
            ? Math.floor(random() * 5) / 4
            : pick < 0.45
              ? special[Math.floor(random() * special.length)]
              : random() * 2 - 0.5
        groups[i] = Math.floor(random() * 3)
        if (groups[i] === 2) keys[i] = NaN // a NULL score: its whole group is NULL
      }
      for (const descending of [true, false]) {
        const { rows, groupStarts } = sortRows(keys, groups, 3, descending)
        expect(Array.from(rows), `n=${n} descending=${descending}`).toEqual(byComparator(keys, groups, descending))
        for (let g = 0; g < 3; g++) for (let i = groupStarts[g]; i < groupStarts[g + 1]; i++) expect(groups[rows[i]]).toBe(g)
        expect(groupStarts[3]).toBe(n)
      }
    }
  })

  it('walks an order with unscored ids merged by id into its NULL run, and pages, places and counts what passes', () => {
    // Order: 9 7 | NULL run 2 4 8 | 5; unscored faces 1 3 6 10 join the NULL run by id.
    const ids = Int32Array.from([9, 7, 2, 4, 8, 5])
    const extra = Int32Array.from([1, 3, 6, 10])
    const walk = (visit: (id: number) => boolean): void => walkOrder(ids, { from: 2, to: 5, extra }, visit)
    const all: number[] = []
    walk((id) => (all.push(id), false))
    expect(all).toEqual([9, 7, 1, 2, 3, 4, 6, 8, 10, 5])
    const odd = idMembership([9, 7, 1, 3, 5])
    expect(pageOf(walk, odd, 0, 2)).toEqual([9, 7])
    expect(pageOf(walk, odd, 2, 10)).toEqual([1, 3, 5])
    expect(pageOf(walk, odd, 5, 10)).toEqual([])
    expect(positionOf(walk, odd, 5)).toBe(4)
    expect(positionOf(walk, odd, 4)).toBeNull()
    expect(countOf(walk, odd)).toBe(5)
    expect(idMembership([])(0)).toBe(false)
  })
})
