import { describe, expect, it } from 'vitest'
import { FLING_PX_PER_SECOND, isFling, SETTLE_MS } from '@renderer/fling'

describe('#19: when the grid is flinging', () => {
  it('a steady read and a held arrow key are not a fling; 400 px a frame and a dragged scrollbar are', () => {
    expect(isFling(40, 16.7)).toBe(false) // 2,400 px/s
    expect(isFling(124, 33)).toBe(false) // an arrow key's row, ~30 a second
    expect(isFling(-40, 16.7)).toBe(false)
    expect(isFling(400, 16.7)).toBe(true) // 24,000 px/s
    expect(isFling(-400, 16.7)).toBe(true) // upwards too
    expect(isFling(3000, 50)).toBe(true)
  })

  it('a move after a pause is a jump, however far it goes', () => {
    expect(isFling(500_000, SETTLE_MS)).toBe(false)
    expect(isFling(500_000, 10_000)).toBe(false)
    expect(isFling(500_000, SETTLE_MS - 1)).toBe(true)
  })

  it('two events inside one frame are not taken as infinitely fast', () => {
    expect(isFling(40, 0)).toBe(false) // read as 40 px in 8 ms: 5,000 px/s
    expect(isFling((FLING_PX_PER_SECOND * 8) / 1000 + 1, 0)).toBe(true)
  })
})
