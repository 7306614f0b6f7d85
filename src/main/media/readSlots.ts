/**
 * Node runs file reads on a small shared thread pool (4 threads unless UV_THREADPOOL_SIZE says
 * otherwise), the same pool that serves the thumbnail cache, static files and sharp. A dataset
 * file on a stalled network share, or anything else that never answers, holds its thread for as
 * long as it hangs; four of them once stalled every disk-touching request (issue #18, F11).
 *
 * So reads of dataset files go through a few slots, never the whole pool, and each caller gets an
 * answer within its timeout whether or not the read ever returns. A slot whose read is still
 * hanging stays taken until the read really ends: handing it on would put another read on top of
 * a thread that is stuck, and the pool would fill up after all.
 */
export class ReadSlots {
  private busy = 0
  private readonly waiting: (() => void)[] = []

  constructor(readonly size: number) {}

  /** Slots whose read has not ended yet (a timed-out read keeps its slot until it does). */
  get inUse(): number {
    return this.busy
  }

  /**
   * Runs `read` in a slot and settles with it, or rejects with `timedOut()` after `timeoutMs`
   * (counted from the call, so time spent waiting for a slot counts too).
   */
  run<T>(read: () => Promise<T>, timeoutMs: number, timedOut: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let answered = false
      const start = (): void => {
        read()
          .then(
            (value) => answer(() => resolve(value)),
            (err: unknown) => answer(() => reject(err))
          )
          .finally(() => this.release())
      }
      const answer = (settle: () => void): void => {
        if (answered) return
        answered = true
        clearTimeout(timer)
        settle()
      }
      const timer = setTimeout(() => {
        const queued = this.waiting.indexOf(start)
        if (queued >= 0) this.waiting.splice(queued, 1) // never started: nothing holds a slot for it
        answer(() => reject(timedOut()))
      }, timeoutMs)
      if (this.busy < this.size) {
        this.busy++
        start()
      } else this.waiting.push(start)
    })
  }

  private release(): void {
    const next = this.waiting.shift()
    if (next)
      next() // the slot passes straight on; `busy` stays the same
    else this.busy--
  }
}
