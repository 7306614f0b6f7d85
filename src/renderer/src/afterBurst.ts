/**
 * `run(arg)` once `ms` after the last call of a burst, with that last call's argument: a burst of
 * key presses (or of another window's events) costs one re-read, not one each.
 */
export function afterBurst<T>(ms: number, run: (arg: T) => void): (arg: T) => void {
  let timer: ReturnType<typeof setTimeout> | null = null
  return (arg) => {
    if (timer !== null) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = null
      run(arg)
    }, ms)
  }
}
