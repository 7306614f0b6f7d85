import { describe, expect, it } from 'vitest'
import { chooseFormat } from '@main/datasets/chooseFormat'
import { createContext } from '@main/api/context'
import { createApiHandlers } from '@main/api/service'
import { mapToModel } from '@shared/formats/classes'
import { detectFormats, type FolderProbe } from '@shared/formats/detect'
import { encodeText } from '@shared/formats/lines'
import { FERPLUS_DIR, HAS_FERPLUS, tempDir } from '../helpers/data'

function probe(files: Record<string, string>, images: string[] = []): FolderProbe {
  return {
    files: Object.keys(files),
    heads: Object.entries(files)
      .filter(([p]) => /\.(csv|tsv|txt)$/.test(p))
      .map(([path, text]) => ({ path, bytes: encodeText(text) })),
    images: new Set(images)
  }
}

const formats = (p: FolderProbe) => detectFormats(p).map((c) => c.format)

describe('format detection', () => {
  it('recognises each format by its files and first lines, ImageFolder last', () => {
    expect(formats(probe({ 'EmoLabel/list_patition_label.txt': 'train_00001.jpg 5\n' }))).toEqual(['rafdb', 'imagefolder'])
    expect(detectFormats(probe({ 'basic/EmoLabel/list_patition_label.txt': 'x 1' }))[0].options).toEqual({
      labelFiles: ['basic/EmoLabel/list_patition_label.txt']
    })
    const votes = 'fer0000000.png,"(0, 0, 48, 48)",4,0,0,1,3,2,0,0,0,0\n'
    expect(
      detectFormats(
        probe({ 'FER2013Test/label.csv': votes, 'FER2013Train/label.csv': votes, 'fer2013new.csv': 'Usage,Image name,neutral\n' })
      )
    ).toMatchObject([
      {
        format: 'ferplus',
        options: { labelFiles: ['FER2013Train/label.csv', 'FER2013Test/label.csv'], ferplusVotes: 'label.csv' }
      },
      { format: 'ferplus', options: { labelFiles: ['fer2013new.csv'], ferplusVotes: 'fer2013new.csv' } },
      { format: 'imagefolder' }
    ])
    expect(formats(probe({ 'fer2013.csv': 'emotion,pixels,Usage\n0,1 2 3 4,Training\n' }))).toEqual(['fer2013', 'imagefolder'])
    expect(
      detectFormats(
        probe({
          'Manually_Annotated_file_lists/validation.csv': 'subDirectory_filePath,face_x,expression\n',
          'Manually_Annotated_file_lists/training.csv': 'subDirectory_filePath,face_x,expression\n'
        })
      )[0]
    ).toMatchObject({
      format: 'affectnet',
      options: { labelFiles: ['Manually_Annotated_file_lists/training.csv', 'Manually_Annotated_file_lists/validation.csv'] }
    })
    expect(formats(probe({ 'labels.csv': 'image,label\na.jpg,happy\nb.jpg,sad\n' }))).toEqual(['csv', 'imagefolder'])
    expect(formats(probe({ 'notes.txt': 'hello', 'readme.md': '# x' }, ['happy/a.png']))).toEqual(['imagefolder'])
  })

  it('takes a manual choice over detection, keeps it on reopen, and goes back to detection on "auto"', () => {
    const candidates = detectFormats(probe({ 'labels.csv': 'image,label\na.jpg,happy\n' }))
    const manual = chooseFormat({ format: 'imagefolder' }, null, candidates)
    expect(manual).toMatchObject({ format: 'imagefolder', chosenBy: 'user', detected: { format: 'csv' } })
    const stored = {
      format: manual.format,
      options: manual.options,
      chosenBy: manual.chosenBy,
      detected: manual.detected,
      classes: []
    }
    expect(chooseFormat({}, stored, candidates)).toMatchObject({ format: 'imagefolder', chosenBy: 'user' })
    expect(chooseFormat({ format: 'auto' }, stored, candidates)).toMatchObject({ format: 'csv', chosenBy: 'detection' })
    expect(() => chooseFormat({ format: 'rafdb' }, null, candidates)).toThrow(/No RAF-DB \(basic\) label file found/)
    expect(() => chooseFormat({ format: 'pascal-voc' as never }, null, candidates)).toThrow(/Unknown dataset format/)
  })

  it('marks classes a model lacks, and ids that mean "no label"', () => {
    const mapping = mapToModel(
      [
        { id: '7', name: 'Contempt', label: 'contempt', count: 3 },
        { id: '8', name: 'None', label: null, count: 2 },
        { id: 'Surprised faces', name: 'Surprised faces', label: 'Surprised faces', count: 1 }
      ],
      ['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear']
    )
    expect(mapping.map((m) => [m.id, m.inModel, m.note])).toEqual([
      ['7', false, 'the model has no contempt class: kept as a label of its own, never predicted'],
      ['8', false, 'means "no label": these samples stay unlabelled'],
      ['Surprised faces', false, 'the model has no Surprised faces class: kept as a label of its own, never predicted']
    ])
  })

  it.skipIf(!HAS_FERPLUS)(
    'reads the real FERPlus folder as FERPlus, with fer2013new.csv and the original-labels CSV as alternatives',
    async () => {
      const api = createApiHandlers(createContext(await tempDir('pf-home-'), '0.0.0'))
      const candidates = await api.detectFormat({ root: FERPLUS_DIR })
      expect(candidates.map((c) => [c.format, c.options.labelFiles])).toEqual([
        ['ferplus', ['FER2013Train/label.csv', 'FER2013Valid/label.csv', 'FER2013Test/label.csv']],
        ['ferplus', ['fer2013new.csv']],
        ['csv', ['fer2013_original_labels.csv']],
        ['imagefolder', undefined]
      ])
      expect((await api.listFormats({})).map((f) => f.id)).toEqual([
        'imagefolder',
        'rafdb',
        'ferplus',
        'fer2013',
        'affectnet',
        'csv'
      ])
    }
  )
})

describe('detection next to class folders', () => {
  it('prefers class folders over a CSV that merely lists the images, and offers the CSV second', () => {
    const p = probe({ 'predictions.csv': 'image,label\ntrain/happy/a.png,sad\n' }, ['train/happy/a.png', 'train/sad/b.png'])
    expect(formats(p)).toEqual(['imagefolder', 'csv'])
    expect(formats(probe({ 'labels.csv': 'image,label\na.png,sad\n' }, ['a.png', 'b.png']))).toEqual(['csv', 'imagefolder'])
  })
})
