import { createContext, useContext } from 'react'
import { useStore } from 'zustand'
import type { ReviewState, ReviewStore } from './store'

export const StoreContext = createContext<ReviewStore | null>(null)

/** Selects a slice of the review state; components re-render only when their slice changes. */
export function useReview<T>(selector: (state: ReviewState) => T): T {
  const store = useContext(StoreContext)
  if (!store) throw new Error('useReview outside StoreContext')
  return useStore(store, selector)
}

export function useReviewStore(): ReviewStore {
  const store = useContext(StoreContext)
  if (!store) throw new Error('useReviewStore outside StoreContext')
  return store
}
