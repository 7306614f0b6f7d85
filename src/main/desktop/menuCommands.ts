import type { MenuCommand } from '@shared/menuCommands'
import type { EventTarget } from '../ipc/register'
import { DESKTOP_CHANNELS } from '@shared/desktopBridge'

/**
 * Hands a menu command to the page (the preload's onMenuCommand). With no window there is no page
 * to act, and nothing is queued: the next window starts from getAppInfo like any launch.
 */
export function sendMenuCommand(target: EventTarget | null | undefined, command: MenuCommand): void {
  target?.send(DESKTOP_CHANNELS.menuCommand, command)
}
