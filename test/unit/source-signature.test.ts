import { describe, expect, it } from 'vitest'
import type { RecordSource } from '@shared/formats/types'
import { sourceSignature, storedSourceSignature } from '@main/store/samples'

/** A source as the store keeps it: the columns applyScanChanges writes. */
const stored = (s: RecordSource): string =>
  storedSourceSignature(s.file, s.line, s.token, s.excluded ?? null, s.extras ? JSON.stringify(s.extras) : null)

describe('a stored source reads back as the same signature without parsing its extras', () => {
  const sources: RecordSource[] = [
    { file: 'training.csv', line: 2, token: '1' },
    { file: 'FER2013Train/label.csv', line: 35_000, token: 'fer0000001.png', excluded: 'no majority: 4 votes of 10' },
    { file: 'a "quoted", file.csv', line: 7, token: 'x,"y"\\z', excluded: '' },
    {
      file: 'Manually_Annotated_file_lists/training.csv',
      line: 150_936,
      token: '0',
      extras: {
        faceBox: [26, 26, 205, 205],
        valence: 0.186182,
        arousal: -0.000001,
        note: 'é ✓ \u2028',
        nested: { a: [1.5e-7, null] }
      }
    },
    { file: 'list.txt', line: 1, token: 't', extras: {} }
  ]
  it.each(sources.map((s) => [s.file, s]))('%s', (_, source) => {
    expect(stored(source)).toBe(sourceSignature(source))
  })
  it('differs when any part differs', () => {
    const base = sources[3]
    const variants: RecordSource[] = [
      { ...base, line: base.line + 1 },
      { ...base, token: '1' },
      { ...base, excluded: 'x' },
      { ...base, extras: { ...base.extras, valence: 0.5 } },
      { ...base, extras: undefined }
    ]
    for (const v of variants) expect(stored(v)).not.toBe(sourceSignature(base))
  })
})
