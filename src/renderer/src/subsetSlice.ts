import type { StoreApi } from 'zustand'
import type { PokerFaceClient } from '@shared/api'
import { MAX_FILTER_IDS } from '@shared/types'
import type { ReviewState } from './store'
import type { DatasetView } from './viewUrl'

/**
 * A grid of chosen faces (issue 17): a face's nearest neighbours ("more like this") or a lasso on the
 * map. It is the grid's filter `sampleIds` plus what is needed to go back: the view it replaced.
 */
export interface Subset {
  kind: 'similar' | 'lasso'
  /** What the grid shows, in words, for the bar above it. */
  title: string
  /** Cosine similarity of each neighbour ("more like this" only), for its tile. */
  similarity: Map<number, number>
  /** The view (and tab) to go back to. */
  previous: DatasetView
  previousTab: ReviewState['view']
  /** The subset this one was opened from (more like this from a neighbour): Back goes there first. */
  outer: Subset | null
}

export interface SubsetSlice {
  subset: Subset | null
  /** The grid shows the cursor's face and its nearest neighbours, most similar first. */
  moreLikeThis(): Promise<void>
  /** The grid shows these faces, in this order (a lasso on the map). */
  showLasso(sampleIds: number[]): Promise<void>
  /** Back to the view the subset replaced. */
  leaveSubset(): Promise<void>
}

/** Neighbours asked for: two screens of the grid, enough to see whether the face's label holds. */
export const SIMILAR_K = 48

export function createSubsetSlice(
  set: StoreApi<ReviewState>['setState'],
  get: StoreApi<ReviewState>['getState'],
  client: PokerFaceClient
): SubsetSlice {
  const enter = async (
    kind: Subset['kind'],
    ids: number[],
    title: string,
    similarity = new Map<number, number>()
  ): Promise<void> => {
    const s = get()
    const subset: Subset = {
      kind,
      title,
      similarity,
      previous: s.viewNow(),
      previousTab: s.view,
      outer: s.subset
    }
    set({ subset })
    await s.showView({ filter: { sampleIds: ids }, sort: { by: 'path' }, selected: [], cursor: 0, scrollTop: 0 }, 'grid')
  }

  return {
    subset: null,

    moreLikeThis: async () => {
      const sample = get().sampleAt(get().cursor)
      if (!sample) return
      try {
        const found = await client.call('moreLikeThis', { sampleId: sample.id, k: SIMILAR_K })
        if (found.neighbours.length === 0) {
          set({
            notice: {
              kind: 'error',
              text:
                found.note ?? `No other face of this dataset has an embedding by ${found.modelId}: run the model on the dataset.`
            }
          })
          return
        }
        const ids = [sample.id, ...found.neighbours.map((n) => n.sampleId)]
        const lowest = found.neighbours[found.neighbours.length - 1].similarity
        await enter(
          'similar',
          ids,
          `More like ${sample.relPath}: it and its ${found.neighbours.length} nearest faces by ${found.modelId}, most similar first`,
          new Map(found.neighbours.map((n) => [n.sampleId, n.similarity]))
        )
        const coverage = found.note ? ` ${found.note}` : ''
        set({
          notice: {
            kind: found.note ? 'error' : 'info',
            text: `${found.neighbours.length} faces like ${sample.relPath} (similarity ${found.neighbours[0].similarity.toFixed(2)} to ${lowest.toFixed(2)}); Esc goes back.${coverage}`
          }
        })
      } catch (err) {
        set({ notice: { kind: 'error', text: (err as Error).message } })
      }
    },

    showLasso: async (sampleIds) => {
      if (sampleIds.length === 0) {
        set({ notice: { kind: 'info', text: 'The lasso caught no faces: draw it around some points (Shift+drag).' } })
        return
      }
      // The request's cap: a lasso over most of a million-face map is cut, and says so.
      const ids = sampleIds.slice(0, MAX_FILTER_IDS)
      const cut = sampleIds.length > ids.length
      await enter('lasso', ids, `${ids.length.toLocaleString()} faces lassoed on the map`)
      set({
        notice: {
          kind: cut ? 'error' : 'info',
          text: cut
            ? `The lasso caught ${sampleIds.length.toLocaleString()} faces; the grid shows the first ${ids.length.toLocaleString()}. Lasso a smaller region for the rest. Esc goes back.`
            : `${ids.length.toLocaleString()} faces from the map; Esc goes back to it.`
        }
      })
    },

    leaveSubset: async () => {
      const { subset } = get()
      if (!subset) return
      set({ subset: subset.outer, notice: null })
      await get().showView(subset.previous, subset.previousTab)
    }
  }
}
