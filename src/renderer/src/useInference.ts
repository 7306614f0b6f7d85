import { createContext, useContext } from 'react'
import { useStore } from 'zustand'
import type { InferenceState, InferenceStore } from './inferenceStore'

export const InferenceContext = createContext<InferenceStore | null>(null)

export function useInference<T>(selector: (state: InferenceState) => T): T {
  const store = useContext(InferenceContext)
  if (!store) throw new Error('useInference outside InferenceContext')
  return useStore(store, selector)
}
