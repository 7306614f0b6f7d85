import { useEffect } from 'react'
import { actionForKey } from '@shared/shortcuts'
import { useReview, useReviewStore } from '../useReview'
import { DetailPanel } from './DetailPanel'
import { ExportDialog } from './ExportDialog'
import { Filters } from './Filters'
import { Grid } from './Grid'
import { OpenDataset } from './OpenDataset'
import { ProblemsList } from './ProblemsList'
import { RunPanel } from './RunPanel'
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
      const s = store.getState()
      if (action.type === 'close') return s.setOverlay(null)
      if (action.type === 'help') return s.setOverlay(s.overlay === 'help' ? null : 'help')
      if (!s.dataset || s.overlay) return
      e.preventDefault()
      if (action.type === 'undo') void s.undo()
      else if (action.type === 'redo') void s.redo()
      else if (action.type === 'label') void s.labelSelection(action.label)
      else {
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
            <RunPanel />
          </div>
          <Grid />
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
