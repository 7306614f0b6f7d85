import { useEffect } from 'react'
import { actionForKey } from '@shared/shortcuts'
import { reviewActionApplies, runMenuCommand, runReviewAction } from '../reviewCommands'
import { useReview, useReviewStore } from '../useReview'
import { DetailPanel } from './DetailPanel'
import { ExportDialog } from './ExportDialog'
import { Filters } from './Filters'
import { Grid } from './Grid'
import { OpenDataset } from './OpenDataset'
import { ProblemsList } from './ProblemsList'
import { RunAction } from './RunAction'
import { RunPanel } from './RunPanel'
import { DatasetSwitcher } from './DatasetSwitcher'
import { BulkBar } from './review/BulkBar'
import { MapView } from './map/MapView'
import { MetricsView } from './review/MetricsView'
import { ReviewPanel } from './review/ReviewPanel'
import { ScanProgressBar } from './ScanProgressBar'
import { ShortcutsHelp } from './ShortcutsHelp'
import { SubsetBar } from './SubsetBar'

const TEXT_INPUTS = new Set(['text', 'search', 'number', 'email', 'url', 'password', 'tel'])

/** Keys belong to the element when the user is typing in it or moving through a select's options. */
function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  if (!el) return false
  if (el.tagName === 'INPUT') return TEXT_INPUTS.has((el as HTMLInputElement).type)
  return el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable
}

/** Keyboard review: one listener for the whole workspace, mapped by the pure actionForKey. */
function useReviewKeyboard(): void {
  const store = useReviewStore()
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (isTyping(e.target)) return
      const action = actionForKey(e)
      if (!action) return
      // Enter on a focused button presses that button, as everywhere else.
      if (e.key === 'Enter' && (e.target as HTMLElement | null)?.closest?.('button, a')) return
      const s = store.getState()
      if (!reviewActionApplies(s, action)) return
      // Escape and ? were never taken from the browser (Escape still leaves full screen).
      if (action.type !== 'close' && action.type !== 'help') e.preventDefault()
      void runReviewAction(s, action)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [store])
}

/** The desktop menu's commands (Electron only), run by the same actions as the page's keys. */
function useMenuCommands(): void {
  const store = useReviewStore()
  useEffect(() => store.getState().client.onMenuCommand?.((command) => void runMenuCommand(store.getState(), command)), [store])
}

export function App(): React.JSX.Element {
  useReviewKeyboard()
  useMenuCommands()
  const dataset = useReview((s) => s.dataset)
  const notice = useReview((s) => s.notice)
  const overlay = useReview((s) => s.overlay)
  const { notify, setOverlay, undo, redo } = useReviewStore().getState()
  const canUndo = useReview((s) => s.canUndo)
  const canRedo = useReview((s) => s.canRedo)
  const view = useReview((s) => s.view)
  const { setView } = useReviewStore().getState()

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">PokerFace Studio</span>
        {dataset && (
          <>
            <DatasetSwitcher />
            <span className="counts" data-testid="counts">
              {dataset.sampleCount.toLocaleString()} images · {dataset.changedCount.toLocaleString()} changed
            </span>
            {dataset.problemCount > 0 && (
              <button className="link" onClick={() => setOverlay('problems')}>
                {dataset.problemCount} unusable files
              </button>
            )}
          </>
        )}
        <span className="spacer" />
        {dataset && (
          <>
            <button onClick={() => void undo()} disabled={!canUndo} title="Undo (Ctrl/Cmd+Z)">
              Undo
            </button>
            <button onClick={() => void redo()} disabled={!canRedo} title="Redo (Shift+Ctrl/Cmd+Z)">
              Redo
            </button>
            <button onClick={() => setOverlay('export')}>Export labels…</button>
          </>
        )}
        <button onClick={() => setOverlay('help')} title="Keyboard shortcuts (?)">
          ?
        </button>
      </header>
      <ScanProgressBar />
      {notice && (
        <div className={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          {notice.text}
          <button className="link" onClick={() => notify(null)} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
      {dataset ? (
        <main className="workspace">
          <div className="sidebar">
            <Filters />
            <ReviewPanel />
            <RunPanel />
            <RunAction />
          </div>
          <div className="centre">
            <nav className="tabs" aria-label="View">
              <button className={view === 'grid' ? 'active' : ''} aria-pressed={view === 'grid'} onClick={() => setView('grid')}>
                Faces
              </button>
              <button
                className={view === 'metrics' ? 'active' : ''}
                aria-pressed={view === 'metrics'}
                onClick={() => setView('metrics')}
                title="M"
              >
                Metrics
              </button>
              <button
                className={view === 'map' ? 'active' : ''}
                aria-pressed={view === 'map'}
                onClick={() => setView('map')}
                title="G"
              >
                Map
              </button>
            </nav>
            <SubsetBar />
            <BulkBar />
            {view === 'grid' ? <Grid /> : view === 'metrics' ? <MetricsView /> : <MapView />}
          </div>
          <DetailPanel />
        </main>
      ) : (
        <OpenDataset />
      )}
      {overlay === 'help' && <ShortcutsHelp />}
      {overlay === 'export' && <ExportDialog />}
      {overlay === 'problems' && <ProblemsList />}
    </div>
  )
}
