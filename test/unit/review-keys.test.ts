import { describe, expect, it } from 'vitest'
import { key } from '../helpers/keys'
import { actionForKey, COMPARE_MODES, SHORTCUTS } from '@shared/shortcuts'

describe('review keys', () => {
  it('accepts the suggestion with Enter or A, and marks decisions with single letters', () => {
    expect(actionForKey(key('Enter'))).toEqual({ type: 'accept' })
    expect(actionForKey(key('a'))).toEqual({ type: 'accept' })
    expect(actionForKey(key('A'))).toEqual({ type: 'accept' }) // Caps Lock on
    expect(actionForKey(key('k'))).toEqual({ type: 'flag', flag: 'keep' })
    expect(actionForKey(key('n'))).toEqual({ type: 'flag', flag: 'not_a_face' })
    expect(actionForKey(key('u'))).toEqual({ type: 'flag', flag: 'ambiguous' })
    expect(actionForKey(key('x'))).toEqual({ type: 'flag', flag: 'exclude' })
    expect(actionForKey(key('e'))).toEqual({ type: 'note' })
    expect(actionForKey(key('m'))).toEqual({ type: 'metrics' })
    expect(actionForKey(key('s'))).toEqual({ type: 'moreLikeThis' })
    expect(actionForKey(key('g'))).toEqual({ type: 'map' })
  })

  it('steps through the compare views and jumps to the wipe and the blink', () => {
    expect(actionForKey(key('v'))).toEqual({ type: 'compare', mode: 'next' })
    expect(actionForKey(key('w'))).toEqual({ type: 'compare', mode: 'wipe' })
    expect(actionForKey(key('b'))).toEqual({ type: 'compare', mode: 'blink' })
    expect(COMPARE_MODES[0]).toBe('original')
  })

  it('leaves letters with modifiers to the browser and the menus (Ctrl+A selects text, Ctrl+X cuts)', () => {
    expect(actionForKey(key('a', { ctrlKey: true }))).toBeNull()
    expect(actionForKey(key('x', { metaKey: true }))).toBeNull()
    expect(actionForKey(key('k', { altKey: true }))).toBeNull()
    expect(actionForKey(key('K', { shiftKey: true }))).toBeNull()
    expect(actionForKey(key('Enter', { shiftKey: true }))).toBeNull()
    expect(actionForKey(key('q'))).toBeNull()
  })

  it('lists every review key in the shortcuts overlay', () => {
    const listed = SHORTCUTS.map((s) => s.keys).join(' ')
    for (const k of ['Enter or A', 'K', 'N / U / X', 'V', 'W / B', 'E', 'M', 'S', 'G']) expect(listed).toContain(k)
  })
})
