import { describe, expect, it } from 'vitest'
import { DEFAULT_VIEW, viewFromSearch, viewToSearch, type DatasetView } from '@renderer/viewUrl'

describe('a dataset view in the address (src/renderer/src/viewUrl.ts)', () => {
  it('#16.7: a view with an order, every filter, a selection, the cursor and the scroll comes back from its address unchanged', () => {
    const view: DatasetView = {
      filter: {
        currentLabel: 'happiness',
        originalLabel: null,
        predictedLabel: 'sadness',
        split: 'valid',
        changedOnly: true,
        flaggedOnly: true,
        reviewed: false,
        flag: 'not_a_face',
        inSample: 'no'
      },
      sort: { by: 'likelyWrong', reverse: true },
      selected: [3, 17, 250],
      cursor: 42,
      scrollTop: 1240
    }
    const search = viewToSearch(7, view)
    expect(viewFromSearch(search)).toEqual({ datasetId: 7, view, ignored: [] })
    // Readable in an address bar.
    expect(search).toBe(
      'dataset=7&sort=likelyWrong&reverse=1&label=happiness&original=&predicted=sadness&split=valid&changed=1&flagged=1' +
        '&reviewed=no&mark=not_a_face&trained=no&selected=3%2C17%2C250&cursor=42&scroll=1240'
    )
  })

  it('#16.7: "unlabelled" (null) and "any" (absent) label filters stay different, and a "none" class stays a class', () => {
    const unlabelled = viewFromSearch(viewToSearch(1, { ...DEFAULT_VIEW, filter: { currentLabel: null, split: null } }))
    expect(unlabelled.view.filter).toEqual({ currentLabel: null, split: null })
    const named = viewFromSearch(viewToSearch(1, { ...DEFAULT_VIEW, filter: { currentLabel: 'none' } }))
    expect(named.view.filter).toEqual({ currentLabel: 'none' })
    expect(viewFromSearch('dataset=1').view).toEqual(DEFAULT_VIEW)
  })

  it('#16.6: the default view of a dataset is just its number, and no dataset is an empty address', () => {
    expect(viewToSearch(12, DEFAULT_VIEW)).toBe('dataset=12')
    expect(viewToSearch(null, { ...DEFAULT_VIEW, cursor: 5 })).toBe('')
    expect(viewFromSearch('')).toEqual({ datasetId: null, view: DEFAULT_VIEW, ignored: [] })
  })

  it('#16.7: a hand-edited address keeps what makes sense and names each part it left out', () => {
    const read = viewFromSearch(
      'dataset=4&sort=best&split=holdout&label=anger&selected=5,x,9&cursor=-2&mark=maybe&utm_source=mail'
    )
    expect(read.datasetId).toBe(4)
    expect(read.view).toEqual({ ...DEFAULT_VIEW, filter: { currentLabel: 'anger' }, selected: [5, 9] })
    expect(read.ignored).toEqual([
      'sort=best: not an order (one of path, likelyWrong, combined, selfConfidence, margin, intensityMismatch, neighbours, odd)',
      'split=holdout: not a split (one of train, valid, test, or empty for none)',
      'mark=maybe: not a mark (one of keep, not_a_face, ambiguous, exclude)',
      'selected=x: not sample numbers',
      'cursor=-2: not a whole number of 0 or more'
    ])
  })

  it('#16.6: an address whose dataset is not a number names it and opens no view', () => {
    expect(viewFromSearch('dataset=abc&sort=margin')).toEqual({
      datasetId: null,
      view: DEFAULT_VIEW,
      ignored: ['dataset=abc: not a dataset number']
    })
  })
})
