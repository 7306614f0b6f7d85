import { createHash } from 'node:crypto'
import { readFile, realpath, stat } from 'node:fs/promises'
import { ApiError } from '@shared/api'
import type { ScanProblem, ScanProgress, ScanReport } from '@shared/types'
import type { Db } from '../store/db'
import { ensureDataset } from '../store/datasets'
import { applyScanChanges, knownFiles, type ScanChanges, type ScannedFile } from '../store/samples'
import { labelFromPath } from './layout'
import { sniffImage } from './sniff'
import { describeFsError, listImageFiles, type FoundFile } from './walk'

/** Files read at once: enough to keep the disk busy, few enough not to exhaust descriptors. */
const READ_CONCURRENCY = 32

export type ProgressListener = (progress: ScanProgress) => void

/** Resolves what the user typed or picked to the folder's real path, or says why it cannot be opened. */
export async function resolveDatasetRoot(input: string): Promise<string> {
  if (!input || !input.trim()) throw new ApiError('bad_request', 'No folder given.')
  let root: string
  try {
    root = await realpath(input.trim())
  } catch {
    throw new ApiError('not_found', `Folder not found: ${input}`)
  }
  const s = await stat(root)
  if (!s.isDirectory())
    throw new ApiError('bad_request', `${input} is a file, not a folder. Open the folder that holds the images.`)
  return root
}

export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

type Examined = { file: FoundFile; scanned: ScannedFile } | { file: FoundFile; problem: ScanProblem }

async function examine(file: FoundFile): Promise<Examined> {
  let bytes: Buffer
  try {
    bytes = await readFile(file.absPath)
  } catch (err) {
    return { file, problem: { relPath: file.relPath, kind: 'error', reason: `cannot read: ${describeFsError(err)}` } }
  }
  const sniff = sniffImage(bytes)
  if (!sniff.ok) return { file, problem: { relPath: file.relPath, kind: 'error', reason: sniff.reason } }
  const { split, label } = labelFromPath(file.relPath)
  return {
    file,
    scanned: {
      relPath: file.relPath,
      size: bytes.length,
      mtimeMs: file.mtimeMs,
      contentHash: contentHash(bytes),
      split,
      originalLabel: label
    }
  }
}

/**
 * Opens a dataset folder: lists it, reads only files that are new or whose size or
 * modification time moved since the last scan, and records added, changed and removed files in
 * one transaction. Returns the dataset id and what changed.
 */
export async function scanDataset(
  db: Db,
  root: string,
  onProgress: ProgressListener = () => {}
): Promise<{ datasetId: number; report: ScanReport }> {
  const started = performance.now()
  onProgress({ root, phase: 'listing', done: 0, total: 0 })
  const listing = await listImageFiles(root)
  const datasetId = ensureDataset(db, root)
  const known = knownFiles(db, datasetId)

  const toRead: FoundFile[] = []
  const changes: ScanChanges = { added: [], changed: [], touched: [], removedIds: [], problems: [...listing.problems] }
  let unchanged = 0
  const seen = new Set<string>()
  for (const file of listing.files) {
    seen.add(file.relPath)
    const prior = known.get(file.relPath)
    if (prior && prior.status === 'present' && prior.size === file.size && prior.mtimeMs === file.mtimeMs) unchanged++
    else toRead.push(file)
  }
  for (const [relPath, prior] of known) {
    if (!seen.has(relPath) && prior.status === 'present') changes.removedIds.push(prior.id)
  }

  let done = 0
  let lastReport = 0
  const report = (): void => {
    const now = performance.now()
    if (now - lastReport > 100 || done === toRead.length) {
      lastReport = now
      onProgress({ root, phase: 'reading', done, total: toRead.length })
    }
  }
  report()
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < toRead.length) {
      const result = await examine(toRead[next++])
      done++
      report()
      const prior = known.get(result.file.relPath)
      if ('problem' in result) {
        changes.problems.push(result.problem)
        // A file that was a sample and is now unreadable leaves the grid, labels kept.
        if (prior?.status === 'present') changes.removedIds.push(prior.id)
      } else if (!prior) changes.added.push(result.scanned)
      else if (prior.contentHash === result.scanned.contentHash && prior.status === 'present')
        changes.touched.push({ id: prior.id, mtimeMs: result.scanned.mtimeMs })
      else changes.changed.push({ ...result.scanned, id: prior.id })
    }
  }
  await Promise.all(Array.from({ length: READ_CONCURRENCY }, worker))

  onProgress({ root, phase: 'saving', done: toRead.length, total: toRead.length })
  // Workers finish out of order; keep ids in path order so the grid shows a sorted dataset.
  changes.added.sort((a, b) => (a.relPath < b.relPath ? -1 : 1))
  changes.problems.sort((a, b) => (a.relPath < b.relPath ? -1 : 1))
  applyScanChanges(db, datasetId, changes)
  onProgress({ root, phase: 'done', done: toRead.length, total: toRead.length })
  return {
    datasetId,
    report: {
      added: changes.added.length,
      removed: changes.removedIds.length,
      changed: changes.changed.length,
      unchanged: unchanged + changes.touched.length,
      problems: changes.problems,
      durationMs: Math.round(performance.now() - started)
    }
  }
}
