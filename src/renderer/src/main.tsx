import { createRoot } from 'react-dom/client'
import { App } from './components/App'
import { createClient } from './client'
import { createReviewStore } from './store'
import { StoreContext } from './useReview'
import './styles.css'

const store = createReviewStore(createClient())
createRoot(document.getElementById('root') as HTMLElement).render(
  <StoreContext.Provider value={store}>
    <App />
  </StoreContext.Provider>
)
void store.getState().init()
