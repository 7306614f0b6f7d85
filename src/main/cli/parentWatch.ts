/**
 * Ends this process when the `pokerface` wrapper that started it is gone, even by kill -9.
 * Node cannot ask Linux for PR_SET_PDEATHSIG, and polling process.ppid misses a parent that
 * dies between two polls' worth of writes; instead the wrapper opens an IPC channel
 * (scripts/lib.mjs), and the kernel closes it the moment the wrapper dies, whatever killed it.
 */
export function stopWhenParentDies(): void {
  const channel = process.channel
  if (!channel) return // started directly (node out/main/cli.js), not by the wrapper
  channel.unref() // the channel alone must not keep a finished command alive
  process.once('disconnect', () => {
    // The same path as Ctrl+C: a run cancels, stores the batches in flight and exits 130; a
    // command with no handler ends at once (its writes are transactions or atomic renames).
    process.kill(process.pid, 'SIGINT')
  })
}
