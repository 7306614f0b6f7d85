import { resolve } from 'node:path'
import { resolveDatasetRoot } from '../datasets/scan'
import { DataFolderBusyError, lockDataFolder } from '../store/dataFolderLock'
import { EXIT } from './args'

/**
 * Runs `work` holding the data folder's lock (store/dataFolderLock.ts), taken before the command
 * writes anything: adding a --model folder and opening a dataset write the store, and behind a run
 * that holds the folder (mid-write) they would wait out SQLite's busy timeout and fail with
 * "database is locked" instead of saying who has the folder. When another process has it, `busy`
 * is told why (by default printed) and the command exits with EXIT.busy. A run the command starts
 * shares this lock (same process).
 */
export async function holdingDataFolder(
  dataDir: string,
  purpose: string,
  work: () => Promise<number>,
  busy: (message: string) => void = (message) => console.error(message)
): Promise<number> {
  let lock
  try {
    lock = lockDataFolder(dataDir, purpose)
  } catch (err) {
    if (!(err instanceof DataFolderBusyError)) throw err
    busy(err.message)
    return EXIT.busy
  }
  try {
    return await work()
  } finally {
    lock.release()
  }
}

/**
 * A dataset folder named as the scan stores it, for the lock's purpose; one that cannot be opened is
 * named as given (the open says why).
 */
export async function datasetRootName(folder: string): Promise<string> {
  return resolveDatasetRoot(folder).catch(() => resolve(folder.trim()))
}
