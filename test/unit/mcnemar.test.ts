import { describe, expect, it } from 'vitest'
import { binomialTwoSided, mcnemar } from '../../src/main/evaluation/mcnemar'

describe('McNemar’s exact test on paired predictions', () => {
  it('counts the four cells and tests only the discordant pairs', () => {
    const a = [true, true, true, false, false, true]
    const b = [true, false, false, true, false, true]
    expect(mcnemar(a, b)).toMatchObject({ images: 6, both_right: 2, only_a_right: 2, only_b_right: 1, both_wrong: 1 })
  })

  it('matches the binomial tail: 0 of 10 discordant pairs one way is p = 2 / 1024', () => {
    expect(binomialTwoSided(0, 10)).toBeCloseTo(2 / 1024, 10)
    // 2 of 12: P(X ≤ 2) = (1 + 12 + 66) / 4096, doubled
    expect(binomialTwoSided(2, 12)).toBeCloseTo((2 * 79) / 4096, 10)
    expect(binomialTwoSided(5, 10)).toBe(1)
  })

  it('stays finite and small for large, lopsided counts (logs, not factorials)', () => {
    const p = binomialTwoSided(400, 1000)
    expect(p).toBeGreaterThan(0)
    expect(p).toBeLessThan(1e-9)
  })

  it('refuses unpaired lists', () => {
    expect(() => mcnemar([true], [true, false])).toThrow(/same images/)
  })
})
