/**
 * The names the app's own writes give to their by-products: temporaries beside a target and the
 * backups of files it replaces. Pure, so the sweep that cleans up after a killed process and the
 * writers that make the files agree on one spelling.
 */

/**
 * `<target>.<pid>.<random>.tmp`: the writer's pid is in the name, so a later process can tell a
 * temporary whose writer died (removable) from one still being written (left alone).
 */
export function tempNameFor(target: string, pid: number, random: string): string {
  return `${target}.${pid}.${random}.tmp`
}

const TEMP_NAME = /^(.+)\.(\d+)\.([0-9a-z]+)\.tmp$/

/** The target and writer pid of one of our temporaries, or null for any other name. */
export function parseTempName(name: string): { target: string; pid: number } | null {
  const m = TEMP_NAME.exec(name)
  return m ? { target: m[1], pid: Number(m[2]) } : null
}

/** YYYYMMDD-HHMMSS in UTC: sorts by time, no characters a file system refuses. */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\..+$/, '').replace('T', '-')
}

/**
 * `<target>.<YYYYMMDD-HHMMSS-mmm>.bak`, then `-2`, `-3`… for the attempts after the first. The
 * milliseconds keep backups in time order; the counter, not the clock, is what makes them unique
 * (two replacements within one millisecond, or a clock set back, still get a name each).
 */
export function backupNameFor(target: string, date: Date, attempt: number): string {
  const stamp = `${timestamp(date)}-${String(date.getUTCMilliseconds()).padStart(3, '0')}`
  return `${target}.${stamp}${attempt > 1 ? `-${attempt}` : ''}.bak`
}
