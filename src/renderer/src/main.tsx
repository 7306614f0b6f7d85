import { createRoot } from 'react-dom/client'
import { App } from './components/App'
import { createClient } from './client'
import { createInferenceStore } from './inferenceStore'
import { createReviewStore } from './store'
import { InferenceContext } from './useInference'
import { StoreContext } from './useReview'
import './styles.css'

const client = createClient()
const store = createReviewStore(client)
// When a run ends, the grid and detail panel re-read what it stored.
const inference = createInferenceStore(client, () => void store.getState().reload())
createRoot(document.getElementById('root') as HTMLElement).render(
  <StoreContext.Provider value={store}>
    <InferenceContext.Provider value={inference}>
      <App />
    </InferenceContext.Provider>
  </StoreContext.Provider>
)
void store.getState().init()
