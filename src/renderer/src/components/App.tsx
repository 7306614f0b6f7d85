import { useEffect } from 'react'
import { actionForKey, COMPARE_MODES } from '@shared/shortcuts'
import { useReview, useReviewStore } from '../useReview'
import { DetailPanel } from './DetailPanel'
import { ExportDialog } from './ExportDialog'
import { Filters } from './Filters'
import { Grid } from './Grid'
import { OpenDataset } from './OpenDataset'
import { ProblemsList } from './ProblemsList'
import { RunPanel } from './RunPanel'
import { BulkBar } from './review/BulkBar'
import { MetricsView } from './review/MetricsView'
import { ReviewPanel } from './review/ReviewPanel'
import { ScanProgressBar } from './ScanProgressBar'
import { ShortcutsHelp } from './ShortcutsHelp'

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
      if (action.type === 'close') return s.setOverlay(null)
      if (action.type === 'help') return s.setOverlay(s.overlay === 'help' ? null : 'help')
      if (!s.dataset || s.overlay) return
      e.preventDefault()
      if (action.type === 'undo') void s.undo()
      else if (action.type === 'redo') void s.redo()
      else if (action.type === 'label') void s.labelSelection(action.label)
      else if (action.type === 'accept') void s.acceptSuggestion()
      else if (action.type === 'flag') void s.toggleFlag(action.flag)
      else if (action.type === 'note') s.focusNote()
      else if (action.type === 'metrics') s.setView(s.view === 'metrics' ? 'grid' : 'metrics')
      else if (action.type === 'compare') {
        const mode =
          action.mode === 'next' ? COMPARE_MODES[(COMPARE_MODES.indexOf(s.compare.mode) + 1) % COMPARE_MODES.length] : action.mode
        s.setCompare({ mode: action.mode !== 'next' && s.compare.mode === action.mode ? 'original' : mode })
      } else {
        const screen = s.columns * 5
        const by = {
          left: -1,
          right: 1,
          up: -s.columns,
          down: s.columns,
          pageUp: -screen,
          pageDown: screen,
          home: -s.total,
          end: s.total
        }
        s.move(by[action.by])
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [store])
}

export function App(): React.JSX.Element {
  useReviewKeyboard()
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
            <span className="dataset-name" title={dataset.root}>
              {dataset.name}
            </span>
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
            </nav>
            <BulkBar />
            {view === 'grid' ? <Grid /> : <MetricsView />}
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
