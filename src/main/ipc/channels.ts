/**
 * IPC channels besides the API table (which uses IPC_CALL_PREFIX + request name). Shared by main
 * and the preload, so a renamed channel breaks the build on both sides.
 */
export const DESKTOP_CHANNELS = {
  /** The native open-folder dialog; answers a path or null. */
  pickFolder: 'pf:pickFolder',
  /** Main → page: a MenuCommand (src/shared/menuCommands.ts) from the application menu. */
  menuCommand: 'pf:menuCommand'
} as const
