/**
 * Runs `work` over `items` with at most `limit` running at once, stopping at the first error or
 * when `signal` aborts. Disk work on a dataset goes through this so that a folder of 35,000
 * files never queues 35,000 operations at once, and a cancelled scan stops between files.
 */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal
): Promise<void> {
  let next = 0
  let failed = false
  const worker = async (): Promise<void> => {
    try {
      while (next < items.length && !failed) {
        signal?.throwIfAborted()
        const index = next++
        await work(items[index], index)
      }
    } catch (err) {
      // The other workers finish the item in hand and take no more.
      failed = true
      throw err
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}
