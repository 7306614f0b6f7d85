/**
 * The application menu as a pure function of what is open, so it is tested without Electron.
 *
 * A click becomes a typed MenuCommand for the page (src/shared/menuCommands.ts), which runs it
 * through the same store actions as its buttons and keys. The review keys belong to the page
 * (src/shared/shortcuts.ts, one keyboard handler); the menu lists them so they can be found, and
 * sends the action that key runs. Plain keys (1–8, arrows) are shown but never registered as
 * accelerators: a registered "1" would also fire while the user types a folder path. Undo and
 * Redo are real accelerators; Electron runs a menu accelerator only when the page did not handle
 * the key, so Ctrl+Z undoes a relabel in the grid and undoes typing in a text field.
 */
import type { MenuItemConstructorOptions } from 'electron'
import { EMOTIONS } from '@shared/emotions'
import type { MenuCommand } from '@shared/menuCommands'
import { actionForKey, type ReviewAction } from '@shared/shortcuts'

export interface MenuState {
  platform: NodeJS.Platform
  appName: string
  isPackaged: boolean
  recent: { name: string; root: string }[]
}

export interface MenuActions {
  /** The native folder dialog (main's), then an openFolder command with the chosen folder. */
  openFolder(): void
  /** Hands a command to the page. */
  send(command: MenuCommand): void
  /** Text-field undo/redo, for when the page left Ctrl+Z to the focused field. */
  editUndo(): void
  editRedo(): void
  showAbout(): void
}

/** A menu item for a page key: its label, the key (as KeyboardEvent.key) and how the menu shows it. */
export interface KeyItem {
  label: string
  key: string
  shown: string
}

export const REVIEW_KEYS: KeyItem[] = [
  { label: 'Previous Sample', key: 'ArrowLeft', shown: 'Left' },
  { label: 'Next Sample', key: 'ArrowRight', shown: 'Right' },
  { label: 'Row Up', key: 'ArrowUp', shown: 'Up' },
  { label: 'Row Down', key: 'ArrowDown', shown: 'Down' },
  { label: 'Screen Up', key: 'PageUp', shown: 'PageUp' },
  { label: 'Screen Down', key: 'PageDown', shown: 'PageDown' },
  { label: 'First Sample', key: 'Home', shown: 'Home' },
  { label: 'Last Sample', key: 'End', shown: 'End' }
]

export const LABEL_KEYS: KeyItem[] = [
  ...EMOTIONS.map((e, i) => ({ label: `Label as ${e[0].toUpperCase()}${e.slice(1)}`, key: String(i + 1), shown: String(i + 1) })),
  { label: 'Remove Label', key: '0', shown: '0' }
]

/**
 * The action a plain key runs in the page, from the page's own keyboard map, so the key a menu
 * item shows and the action it sends cannot drift apart.
 */
function actionOfKey(key: string): ReviewAction {
  const action = actionForKey({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false })
  if (!action) throw new Error(`The menu shows key '${key}', which the page's keyboard map does not use`)
  return action
}

export const RECENT_IN_MENU = 10

export function buildMenuTemplate(state: MenuState, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = state.platform === 'darwin'

  const review = (action: ReviewAction): void => actions.send({ type: 'review', action })
  /** A menu item that shows a page key and runs its action. macOS cannot show an accelerator without registering it. */
  const keyItem = ({ label, key, shown }: KeyItem): MenuItemConstructorOptions => {
    const action = actionOfKey(key)
    return mac
      ? { label: `${label}  (${shown})`, click: () => review(action) }
      : { label, accelerator: shown, registerAccelerator: false, click: () => review(action) }
  }

  const about: MenuItemConstructorOptions = { label: `About ${state.appName}`, click: () => actions.showAbout() }

  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Open Folder…', accelerator: 'CmdOrCtrl+O', click: () => actions.openFolder() },
      {
        label: 'Open Recent',
        enabled: state.recent.length > 0,
        submenu: state.recent
          .slice(0, RECENT_IN_MENU)
          .map((d) => ({ label: `${d.name} — ${d.root}`, click: () => actions.send({ type: 'openFolder', root: d.root }) }))
      },
      { label: 'Close Dataset', click: () => actions.send({ type: 'closeDataset' }) },
      ...(mac ? [] : ([{ type: 'separator' }, { role: 'quit' }] as MenuItemConstructorOptions[]))
    ]
  }

  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      {
        label: 'Undo',
        accelerator: 'CmdOrCtrl+Z',
        click: (_item, _win, event) => (event?.triggeredByAccelerator ? actions.editUndo() : review({ type: 'undo' }))
      },
      {
        label: 'Redo',
        accelerator: 'Shift+CmdOrCtrl+Z',
        click: (_item, _win, event) => (event?.triggeredByAccelerator ? actions.editRedo() : review({ type: 'redo' }))
      },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' }
    ]
  }

  const reviewMenu: MenuItemConstructorOptions = {
    label: '&Review',
    submenu: [...LABEL_KEYS.map(keyItem), { type: 'separator' }, ...REVIEW_KEYS.map(keyItem)]
  }

  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      { role: 'reload' },
      ...(state.isPackaged ? [] : ([{ role: 'toggleDevTools' }] as MenuItemConstructorOptions[])),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' }
    ]
  }

  const help: MenuItemConstructorOptions = {
    role: 'help',
    label: '&Help',
    submenu: [
      keyItem({ label: 'Keyboard Shortcuts', key: '?', shown: '?' }),
      ...(mac ? [] : [{ type: 'separator' } as const, about])
    ]
  }

  const appMenu: MenuItemConstructorOptions = {
    label: state.appName,
    submenu: [
      about,
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' }
    ]
  }

  return [...(mac ? [appMenu] : []), file, edit, reviewMenu, view, { role: 'windowMenu' }, help]
}
