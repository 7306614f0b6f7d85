import { describe, expect, it } from 'vitest'
import { key } from '../helpers/keys'
import { EMOTIONS, labelForDigit, normaliseLabel, sortLabels } from '@shared/emotions'
import { splitFromFolderName } from '@shared/splits'
import { actionForKey } from '@shared/shortcuts'
import { labelFromPath } from '@main/datasets/layout'

describe('emotion vocabulary', () => {
  it.each([
    ['angry', 'anger'],
    ['Anger', 'anger'],
    ['happy', 'happiness'],
    ['HAPPINESS', 'happiness'],
    ['sad', 'sadness'],
    ['fearful', 'fear'],
    ['surprised', 'surprise'],
    ['disgusted', 'disgust'],
    ['neutral', 'neutral'],
    ['contempt', 'contempt']
  ])('maps %s to %s', (name, canonical) => expect(normaliseLabel(name)).toBe(canonical))

  it('keeps unknown class names as their own class', () => {
    expect(normaliseLabel('  Confused ')).toBe('Confused')
  })

  it('maps digits 1–8 to the FERPlus class order and nothing else', () => {
    expect(EMOTIONS.map((_, i) => labelForDigit(String(i + 1)))).toEqual([...EMOTIONS])
    expect(labelForDigit('9')).toBeNull()
    expect(labelForDigit('0')).toBeNull()
    expect(labelForDigit('1.5')).toBeNull()
  })

  it('sorts canonical classes first, then others alphabetically', () => {
    expect(sortLabels(['zebra', 'fear', 'apple', 'neutral', 'fear'])).toEqual(['neutral', 'fear', 'apple', 'zebra'])
  })
})

describe('split folders', () => {
  it.each([
    ['train', 'train'],
    ['Training', 'train'],
    ['val', 'valid'],
    ['validation', 'valid'],
    ['PublicTest', 'valid'],
    ['PrivateTest', 'test'],
    ['test', 'test'],
    ['FER2013Train', 'train'],
    ['FER2013Valid', 'valid'],
    ['FER2013Test', 'test']
  ])('recognises %s as %s', (name, split) => expect(splitFromFolderName(name)).toBe(split))

  it.each(['contest', 'latest', 'happy', 'trainers'])('does not take %s for a split', (name) => {
    expect(splitFromFolderName(name)).toBeNull()
  })
})

describe('labels from paths', () => {
  it('reads split and class from ImageFolder layouts', () => {
    expect(labelFromPath('train/happy/a.png')).toEqual({ split: 'train', label: 'happiness' })
    expect(labelFromPath('angry/a.png')).toEqual({ split: null, label: 'anger' })
    expect(labelFromPath('Training/sad/x/a.png')).toEqual({ split: 'train', label: 'x' })
  })
  it('leaves files at the root or directly in a split folder unlabelled', () => {
    expect(labelFromPath('a.png')).toEqual({ split: null, label: null })
    expect(labelFromPath('FER2013Test/fer0032220.png')).toEqual({ split: 'test', label: null })
  })
})

describe('review keyboard', () => {
  it('maps digits to labels, 0 to unlabelled, arrows to moves', () => {
    expect(actionForKey(key('3'))).toEqual({ type: 'label', label: 'surprise' })
    expect(actionForKey(key('0'))).toEqual({ type: 'label', label: null })
    expect(actionForKey(key('ArrowDown'))).toEqual({ type: 'move', by: 'down' })
    expect(actionForKey(key('?', { shiftKey: true }))).toEqual({ type: 'help' })
  })
  it('undoes with Ctrl/Cmd+Z and redoes with Shift+Ctrl/Cmd+Z', () => {
    expect(actionForKey(key('z', { ctrlKey: true }))).toEqual({ type: 'undo' })
    expect(actionForKey(key('z', { metaKey: true }))).toEqual({ type: 'undo' })
    expect(actionForKey(key('Z', { ctrlKey: true, shiftKey: true }))).toEqual({ type: 'redo' })
    expect(actionForKey(key('y', { ctrlKey: true }))).toEqual({ type: 'redo' })
  })
  it('leaves digits with modifiers to the browser', () => {
    expect(actionForKey(key('1', { ctrlKey: true }))).toBeNull()
  })
})
