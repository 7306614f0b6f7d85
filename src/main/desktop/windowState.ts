import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

/** Where and how big the window was, kept in the data folder as window-state.json. */
export interface WindowState {
  x?: number
  y?: number
  width: number
  height: number
  maximized: boolean
  fullScreen: boolean
}

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1400, height: 900, maximized: false, fullScreen: false }
export const MIN_WIDTH = 800
export const MIN_HEIGHT = 560

export function windowStateFile(dataDir: string): string {
  return join(dataDir, 'window-state.json')
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 100_000

/** Reads whatever the file holds; anything missing or odd falls back to the defaults. */
export function parseWindowState(json: unknown): WindowState {
  const o = (json && typeof json === 'object' ? json : {}) as Record<string, unknown>
  const state: WindowState = {
    width: isInt(o.width) && o.width >= MIN_WIDTH ? o.width : DEFAULT_WINDOW_STATE.width,
    height: isInt(o.height) && o.height >= MIN_HEIGHT ? o.height : DEFAULT_WINDOW_STATE.height,
    maximized: o.maximized === true,
    fullScreen: o.fullScreen === true
  }
  if (isInt(o.x) && isInt(o.y)) Object.assign(state, { x: o.x, y: o.y })
  return state
}

/**
 * Fits a saved state to the screens there are now: a window whose title bar would be on no
 * screen (a monitor was unplugged) is centred instead, and one larger than every screen shrinks.
 */
export function fitToDisplays(state: WindowState, workAreas: Rect[]): WindowState {
  if (workAreas.length === 0) return state
  const widest = Math.max(...workAreas.map((a) => a.width))
  const tallest = Math.max(...workAreas.map((a) => a.height))
  const out: WindowState = { ...state, width: Math.min(state.width, widest), height: Math.min(state.height, tallest) }
  if (out.x === undefined || out.y === undefined) return out
  // The title bar: the top 40 px of the window, at least 100 px of it on some screen.
  const bar: Rect = { x: out.x, y: out.y, width: out.width, height: 40 }
  const visible = workAreas.some((a) => overlap(bar, a).width >= 100 && overlap(bar, a).height >= 20)
  if (!visible) {
    delete out.x
    delete out.y
  }
  return out
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y))
  }
}

export async function readWindowState(dataDir: string): Promise<WindowState> {
  try {
    return parseWindowState(JSON.parse(await readFile(windowStateFile(dataDir), 'utf8')))
  } catch {
    return { ...DEFAULT_WINDOW_STATE }
  }
}

/**
 * Synchronous on purpose: the last save happens while the window closes, and the process may
 * exit before an asynchronous write finishes. Temp file and rename, so a crash leaves the old file.
 */
export function writeWindowStateSync(dataDir: string, state: WindowState): void {
  const file = windowStateFile(dataDir)
  mkdirSync(dataDir, { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n')
  renameSync(tmp, file)
}
