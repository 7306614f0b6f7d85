/**
 * The application menu as a pure function of what is open, so it is tested without Electron.
 *
 * The review keys belong to the page (src/shared/shortcuts.ts, one keyboard handler). The menu
 * lists them so they can be found, and a click sends the same key to the page. Plain keys (1–8,
 * arrows) are shown but never registered as accelerators: a registered "1" would also fire while
 * the user types a folder path. Undo and Redo are real accelerators; Electron runs a menu
 * accelerator only when the page did not handle the key, so Ctrl+Z undoes a relabel in the grid
 * and undoes typing in a text field.
 */
import type { MenuItemConstructorOptions } from 'electron'
import { EMOTIONS } from '@shared/emotions'

/** A key as the page's keyboard handler sees it (KeyboardEvent fields). */
export interface KeyChord {
  key: string
  ctrlKey?: boolean
  metaKey?: boolean
  shiftKey?: boolean
}

export interface MenuState {
  platform: NodeJS.Platform
  appName: string
  isPackaged: boolean
  recent: { name: string; root: string }[]
}

export interface MenuActions {
  openFolder(): void
  openRecent(root: string): void
  closeDataset(): void
  /** Sends a review key to the page. */
  pressKey(chord: KeyChord): void
  /** Text-field undo/redo, for when the page left Ctrl+Z to the focused field. */
  editUndo(): void
  editRedo(): void
  showAbout(): void
}

/** Review actions with the key that does them in the page and the accelerator shown for it. */
export const REVIEW_KEYS: { label: string; key: string; shown: string }[] = [
  { label: 'Previous Sample', key: 'ArrowLeft', shown: 'Left' },
  { label: 'Next Sample', key: 'ArrowRight', shown: 'Right' },
  { label: 'Row Up', key: 'ArrowUp', shown: 'Up' },
  { label: 'Row Down', key: 'ArrowDown', shown: 'Down' },
  { label: 'Screen Up', key: 'PageUp', shown: 'PageUp' },
  { label: 'Screen Down', key: 'PageDown', shown: 'PageDown' },
  { label: 'First Sample', key: 'Home', shown: 'Home' },
  { label: 'Last Sample', key: 'End', shown: 'End' }
]

export const LABEL_KEYS: { label: string; key: string; shown: string }[] = [
  ...EMOTIONS.map((e, i) => ({ label: `Label as ${e[0].toUpperCase()}${e.slice(1)}`, key: String(i + 1), shown: String(i + 1) })),
  { label: 'Remove Label', key: '0', shown: '0' }
]

export const RECENT_IN_MENU = 10

export function buildMenuTemplate(state: MenuState, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = state.platform === 'darwin'
  const mod: Pick<KeyChord, 'ctrlKey' | 'metaKey'> = mac ? { metaKey: true } : { ctrlKey: true }

  /** A menu item that shows a page key. macOS cannot show an accelerator without registering it. */
  const keyItem = (label: string, chord: KeyChord, shown: string): MenuItemConstructorOptions =>
    mac
      ? { label: `${label}  (${shown})`, click: () => actions.pressKey(chord) }
      : { label, accelerator: shown, registerAccelerator: false, click: () => actions.pressKey(chord) }

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
          .map((d) => ({ label: `${d.name} — ${d.root}`, click: () => actions.openRecent(d.root) }))
      },
      { label: 'Close Dataset', click: () => actions.closeDataset() },
      ...(mac ? [] : ([{ type: 'separator' }, { role: 'quit' }] as MenuItemConstructorOptions[]))
    ]
  }

  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      {
        label: 'Undo',
        accelerator: 'CmdOrCtrl+Z',
        click: (_item, _win, event) =>
          event?.triggeredByAccelerator ? actions.editUndo() : actions.pressKey({ key: 'z', ...mod })
      },
      {
        label: 'Redo',
        accelerator: 'Shift+CmdOrCtrl+Z',
        click: (_item, _win, event) =>
          event?.triggeredByAccelerator ? actions.editRedo() : actions.pressKey({ key: 'Z', shiftKey: true, ...mod })
      },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' }
    ]
  }

  const review: MenuItemConstructorOptions = {
    label: '&Review',
    submenu: [
      ...LABEL_KEYS.map((k) => keyItem(k.label, { key: k.key }, k.shown)),
      { type: 'separator' },
      ...REVIEW_KEYS.map((k) => keyItem(k.label, { key: k.key }, k.shown))
    ]
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
    submenu: [keyItem('Keyboard Shortcuts', { key: '?' }, '?'), ...(mac ? [] : [{ type: 'separator' } as const, about])]
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

  return [...(mac ? [appMenu] : []), file, edit, review, view, { role: 'windowMenu' }, help]
}

/**
 * The script that hands a menu key to the page: a keydown on window, which the page's one
 * keyboard handler (App.tsx) receives exactly as a typed key. Built from the chord's fields only.
 */
export function keyEventScript(chord: KeyChord): string {
  const init = {
    key: chord.key,
    ctrlKey: !!chord.ctrlKey,
    metaKey: !!chord.metaKey,
    shiftKey: !!chord.shiftKey,
    bubbles: true,
    cancelable: true
  }
  return `window.dispatchEvent(new KeyboardEvent('keydown', ${JSON.stringify(init)}))`
}
