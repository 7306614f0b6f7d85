// Who is in a photo, read from its path: the real-neutral pairing and the different-people pairs of
// `eval --neutral-reference` both stand on it, and a wrong reading pairs one person's smile with
// another person's neutral face without any error.
import { describe, expect, it } from 'vitest'
import { peopleByFileName, personByRule } from '../../src/main/evaluation/people'
import { neutralPairs } from '../../src/main/evaluation/neutralReference'
import { parseCliArgs } from '../../src/main/cli/args'

const read = (paths: string[], pattern?: RegExp) => paths.map(peopleByFileName(paths, pattern))

describe('reading the person from a file name', () => {
  it('takes the words before an expression word (Yale, RaFD, crops of pokerface faces)', () => {
    expect(personByRule('happiness/subject07_happy.png')).toBe('subject07')
    expect(personByRule('neutral/subject07_normal.png')).toBe('subject07')
    expect(personByRule('happiness/subject07_happy__face1.png')).toBe('subject07')
    expect(personByRule('angry/Rafd090_01_Caucasian_female_angry_frontal.jpg')).toBe('Rafd090_01_Caucasian_female')
    expect(personByRule('x/Rafd090_02_Moroccan_male_Neutral_frontal.jpg')).toBe('Rafd090_02_Moroccan_male')
  })

  it('takes the folder where the name is only the expression, and drops a trailing number', () => {
    expect(personByRule('subject07/happy.png')).toBe('subject07/')
    expect(personByRule('neutral/happy.png')).toBeNull()
    expect(personByRule('happiness/Al_Gore_0002.jpg')).toBe('Al_Gore')
    expect(personByRule('S010/S010_004_00000019.png')).toBe('S010_004')
  })

  it('reads no person where the name has none', () => {
    expect(personByRule('FER2013Test/fer0032220.png')).toBeNull()
    expect(personByRule('anger/AF01ANS.JPG')).toBeNull()
  })

  it('keeps different people apart whose names share a first word', () => {
    // The rule before this one (the name up to the first "_") made both of these "Al".
    expect(read(['a/Al_Gore_0001.jpg', 'a/Al_Pacino_0001.jpg'])).toEqual(['Al_Gore', 'Al_Pacino'])
    // …and made every RaFD photo one person.
    const rafd = ['n/Rafd090_01_Caucasian_female_neutral_frontal.jpg', 'h/Rafd090_02_Caucasian_male_happy_frontal.jpg']
    expect(new Set(read(rafd)).size).toBe(2)
  })

  it('makes every photo its own person where the rules would put over half of a larger set under one name', () => {
    const numbered = Array.from({ length: 30 }, (_, i) => `test/PrivateTest_${10131363 + 7 * i}.jpg`)
    expect(read(numbered)).toEqual(numbered)
    // A small set where one person has most photos is still read by the rules.
    expect(read(numbered.slice(0, 3))).toEqual(['PrivateTest', 'PrivateTest', 'PrivateTest'])
    const yale = ['h/subject01_happy.png', 'n/subject01_normal.png', 'h/subject02_happy.png', 'n/subject02_normal.png']
    expect(read(yale)).toEqual(['subject01', 'subject01', 'subject02', 'subject02'])
  })

  it('follows --person-pattern where one is given: its first group, else its match, else the path', () => {
    const kdef = ['anger/AF01ANS.JPG', 'neutral/BF01NES.JPG', 'neutral/AM02NES.JPG', 'other/x.png']
    expect(read(kdef, /[AB]([FM]\d\d)/)).toEqual(['F01', 'F01', 'M02', 'other/x.png'])
    expect(read(['a/KA.AN1.39.tiff'], /[A-Z]{2}(?=\.)/)).toEqual(['KA'])
  })

  it('pairs each expressive photo with its own person’s neutral one, never a namesake’s', () => {
    const samples = [
      { relPath: 'neutral/Al_Pacino_0001.jpg', label: 'neutral' },
      { relPath: 'happiness/Al_Gore_0002.jpg', label: 'happiness' },
      { relPath: 'neutral/Al_Gore_0001.jpg', label: 'neutral' },
      { relPath: 'sadness/Al_Pacino_0003.jpg', label: 'sadness' }
    ]
    const pairs = neutralPairs(samples, peopleByFileName(samples.map((s) => s.relPath)))
    expect(pairs.map((p) => [p.face.relPath, p.reference.relPath])).toEqual([
      ['happiness/Al_Gore_0002.jpg', 'neutral/Al_Gore_0001.jpg'],
      ['sadness/Al_Pacino_0003.jpg', 'neutral/Al_Pacino_0001.jpg']
    ])
  })
})

describe('pokerface eval --person-pattern', () => {
  it('takes a regular expression and names a broken one', () => {
    expect(parseCliArgs(['eval', 'x', '--person-pattern', '^(\\w+)_']).personPattern?.source).toBe('^(\\w+)_')
    const bad = parseCliArgs(['eval', 'x', '--person-pattern', '(unclosed'])
    expect(bad.errors.join(' ')).toMatch(/--person-pattern needs a regular expression/)
  })
})
