import type { ReviewAction } from './shortcuts'

/**
 * What the desktop app's menu asks the page to do, sent by main on one IPC channel
 * (DESKTOP_CHANNELS.menuCommand) and run by the page through the same store actions as its own
 * buttons and keys.
 *
 * Typed commands, not synthesised key presses or page reloads: a synthesised key goes wherever
 * the page's key handler happens to be listening, can carry no folder path and breaks silently
 * when a shortcut changes; a reload throws away the filter, the selection and the scroll place.
 */
export type MenuCommand =
  /** Open (or re-scan) a dataset folder: from File > Open Folder, Open Recent or a second launch. */
  | { type: 'openFolder'; root: string }
  /** Back to the start screen. */
  | { type: 'closeDataset' }
  /** A review action, exactly as its key in the page would run it (src/shared/shortcuts.ts). */
  | { type: 'review'; action: ReviewAction }
