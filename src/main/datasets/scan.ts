import { createHash } from 'node:crypto'
import { realpath, stat } from 'node:fs/promises'
import { ApiError } from '@shared/api'
import { FORMATS } from '@shared/formats'
import type { GreyPixels, SampleRecord } from '@shared/formats/types'
import type { ScanProblem, ScanProgress, ScanReport } from '@shared/types'
import { nowIso, type Db } from '../store/db'
import { ensureDataset, lastListing, saveListingSignature } from '../store/datasets'
import {
  applyScanChanges,
  knownFiles,
  lastScanOutcome,
  sourceSignature,
  type KnownFile,
  type ScanChanges,
  type ScannedFile
} from '../store/samples'
import { rejectedFiles, saveRejectedFiles, type RejectedFile } from '../store/rejectedFiles'
import { forgetGrouping } from '../store/duplicates'
import { datasetIdForRoot, getDatasetFormat, saveDatasetFormat, saveLabelFiles, type StoredFormat } from '../store/sources'
import { chooseFormat, type FormatRequest } from './chooseFormat'
import { readLabelFiles, toStored } from './labelFiles'
import { planSamples } from './plan'
import { detectListedFolder } from './probe'
import { eachLimited } from './eachLimited'
import { inspectImageFile } from './inspectImage'
import { listImageFiles, type FoundFile } from './walk'
import { listingSignature } from './listingSignature'
import { updateDuplicates } from '../duplicates/findDuplicates'
import { FINGERPRINT_WHILE_SCANNING_BYTES, ScanFingerprints } from '../duplicates/scanFingerprints'

/**
 * Files read at once. libuv runs four file operations at a time by default; twice that keeps its
 * threads busy while this thread hashes what came back (reading and hashing 18,000 AffectNet
 * JPEGs: 46-62 µs a file at 8, 68 at 4). Each read holds one file or one chunk, so memory stays a
 * few megabytes whatever the files' sizes.
 */
const READ_CONCURRENCY = 8

/**
 * The rules a scan reads a folder by. Bump it when a reader gives other samples, labels or problems
 * for the same files, so that a reopen reads folders scanned by the older rules again instead of
 * using what those stored (the app's version is part of the rules too, for releases).
 */
const READING_RULES = 1

export type ProgressListener = (progress: ScanProgress) => void

/** What a listing's signature is taken with: the rules, and how the dataset is read. */
function readingContext(format: StoredFormat, appVersion: string): string {
  return JSON.stringify({ rules: READING_RULES, appVersion, format: format.format, options: format.options })
}

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

/** The content hash of an image that exists only as pixels: its size and pixels, never confused with a file's hash. */
function pixelsHash(pixels: GreyPixels): string {
  return createHash('sha256').update(`gray8 ${pixels.width}x${pixels.height}\n`).update(pixels.data).digest('hex')
}

type Planned = { file: FoundFile; record: SampleRecord }
type Examined =
  { planned: Planned; scanned: ScannedFile } | { planned: Planned; problem: ScanProblem; rejected: RejectedFile | null }

async function examine(planned: Planned, fingerprints: ScanFingerprints | null, signal?: AbortSignal): Promise<Examined> {
  const { file, record } = planned
  const keepBytes = fingerprints ? FINGERPRINT_WHILE_SCANNING_BYTES : 0
  const inspection = await inspectImageFile(file.absPath, { signal, keepBytes, listedSize: file.size })
  if (!inspection.ok) {
    const { relPath, size, mtimeMs } = file
    return {
      planned,
      problem: { relPath, kind: 'error', reason: inspection.reason },
      // Only a verdict on the content is remembered; a failed read is tried again next time.
      rejected: inspection.about === 'content' ? { relPath, size, mtimeMs, reason: inspection.reason } : null
    }
  }
  // The duplicate search's fingerprint, decoded from the bytes just hashed (no second read).
  if (inspection.bytes) await fingerprints?.add(inspection.contentHash, inspection.bytes)
  return {
    planned,
    scanned: {
      relPath: file.relPath,
      size: inspection.size,
      mtimeMs: file.mtimeMs,
      contentHash: inspection.contentHash,
      split: record.split,
      originalLabel: record.label,
      source: record.source
    }
  }
}

/**
 * Notes what the label file now says about a sample the store already has, where that moved.
 * A label file that could not be read this time says nothing: its samples keep what they had.
 */
function followRecord(changes: ScanChanges, prior: KnownFile, record: SampleRecord, unreadable: ReadonlySet<string>): void {
  if (record.source === null && prior.sourceFile !== null && unreadable.has(prior.sourceFile)) return
  if (prior.originalLabel !== record.label || prior.split !== record.split) {
    changes.relabelled?.push({ id: prior.id, split: record.split, originalLabel: record.label })
  }
  if (prior.source !== sourceSignature(record.source)) changes.sources?.push({ id: prior.id, source: record.source })
}

export interface ScanResult {
  datasetId: number
  report: ScanReport
  /** The format used, with every option filled in, and the classes found. */
  format: StoredFormat
  /** Whether the scan added, changed or removed samples: the duplicate search groups again. */
  moved: boolean
}

export interface ScanOptions {
  signal?: AbortSignal
  appVersion?: string
  /**
   * Whether the scan runs the duplicate search itself before it returns (the default). The app
   * passes false and runs it in the background (duplicates/searches.ts), with `moved`: the
   * dataset is usable as soon as its samples are stored.
   */
  searchDuplicates?: boolean
}

/**
 * Opens a dataset folder: lists it, detects its format (or uses the one asked for, or the one
 * chosen by hand last time), reads the label files, reads only image files that are new or whose
 * size or modification time moved since the last scan (files refused last time and unchanged
 * since are refused again unread), and records everything in one transaction.
 * Label-file problems (malformed lines, unknown ids, missing or duplicate images) are listed with
 * file and line; they never stop the scan.
 *
 * `signal` cancels it: the scan rejects with the signal's reason before the next folder or file,
 * and nothing of it is stored (the transaction at the end is the only write of the scan itself).
 * What the duplicate search has done is kept — fingerprints decoded while reading (they belong to
 * contents, not to this scan) and the batches stored after it — and the next open finishes it.
 */
export async function scanDataset(
  db: Db,
  root: string,
  onProgress: ProgressListener = () => {},
  request: FormatRequest = {},
  { signal, appVersion = '', searchDuplicates = true }: ScanOptions = {}
): Promise<ScanResult> {
  const started = performance.now()
  onProgress({ root, phase: 'listing', done: 0, total: 0 })
  const listing = await listImageFiles(root, { signal })
  const existingId = datasetIdForRoot(db, root)
  const lastFormat = existingId === null ? null : getDatasetFormat(db, existingId)
  const readAsBefore = request.format === undefined && Object.keys(request.options ?? {}).length === 0
  const last = existingId === null ? null : lastListing(db, existingId)
  if (
    existingId !== null &&
    lastFormat !== null &&
    last !== null &&
    readAsBefore &&
    last.signature === listingSignature(listing, readingContext(lastFormat, appVersion))
  ) {
    const reused = reuseLastScan(db, existingId, root, lastFormat, last.listedAt, started, signal)
    if (searchDuplicates) await updateDuplicates(db, existingId, root, false, onProgress, signal)
    onProgress({ root, phase: 'done', done: 0, total: 0 })
    return reused
  }
  const images = new Set(listing.files.map((f) => f.relPath))
  const candidates = await detectListedFolder(listing)
  // Choosing first: a format that cannot apply is refused before anything is stored.
  const choice = chooseFormat(request, lastFormat, candidates)
  const format = FORMATS[choice.format]

  const labelRead = await readLabelFiles(root, choice.options.labelFiles ?? [])
  const options = format.completeOptions?.(choice.options, { files: labelRead.files, images }) ?? choice.options
  const read = format.read({ files: labelRead.files, images, options })
  const plan = planSamples(read.records, listing.files, format, options, [
    ...labelRead.missing.map((m) => ({ relPath: m.relPath, kind: 'error' as const, reason: m.reason })),
    ...read.problems
  ])
  const usedLabelFiles = new Set(labelRead.files.map((f) => f.path))
  const unreadable = new Set(labelRead.missing.map((m) => m.relPath))
  const labelMtime = new Map(labelRead.files.map((f) => [f.path, f.mtimeMs]))

  // A dataset opened for the first time has nothing known yet; its row is created with the rest
  // at the end, so a cancelled first open leaves no empty dataset behind.
  const known = existingId === null ? new Map<string, KnownFile>() : knownFiles(db, existingId)
  const refusedBefore = existingId === null ? new Map<string, RejectedFile>() : rejectedFiles(db, existingId)
  const rejected: RejectedFile[] = []
  const changes: ScanChanges = {
    added: [],
    changed: [],
    touched: [],
    removedIds: [],
    relabelled: [],
    sources: [],
    // Label files in use are not "files that could not be used".
    problems: [...listing.problems.filter((p) => !usedLabelFiles.has(p.relPath)), ...plan.problems]
  }
  let unchanged = 0
  // A scan that waits for the duplicate search decodes what it reads for it; one that leaves the
  // search to the background only reads and hashes (decoding is most of a first open's time).
  const fingerprints = searchDuplicates ? new ScanFingerprints(db) : null
  const seen = new Set<string>()
  const toRead: Planned[] = []
  for (const planned of plan.files) {
    const { relPath, size, mtimeMs } = planned.file
    seen.add(relPath)
    const prior = known.get(relPath)
    const refused = refusedBefore.get(relPath)
    if (prior && prior.status === 'present' && prior.size === size && prior.mtimeMs === mtimeMs) {
      unchanged++
      followRecord(changes, prior, planned.record, unreadable)
    } else if (refused && refused.size === size && refused.mtimeMs === mtimeMs) {
      rejected.push(refused)
      changes.problems.push({ relPath, kind: 'error', reason: refused.reason })
      if (prior?.status === 'present') changes.removedIds.push(prior.id)
    } else toRead.push(planned)
  }
  for (const record of plan.virtual) {
    seen.add(record.relPath)
    const pixels = record.pixels as GreyPixels
    const hash = pixelsHash(pixels)
    const prior = known.get(record.relPath)
    const scanned: ScannedFile = {
      relPath: record.relPath,
      size: pixels.data.length,
      mtimeMs: labelMtime.get(record.source?.file ?? '') ?? 0,
      contentHash: hash,
      split: record.split,
      originalLabel: record.label,
      source: record.source,
      pixels
    }
    if (!prior) changes.added.push(scanned)
    else {
      if (prior.contentHash === hash && prior.status === 'present') unchanged++
      else {
        changes.changed.push({ ...scanned, id: prior.id })
        changes.sources?.push({ id: prior.id, source: record.source, pixels })
      }
      followRecord(changes, prior, record, unreadable)
    }
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
  // A scan that met a failure worth trying again (a file or folder that could not be read) must
  // not let the next open reuse it.
  let retryNextTime = labelRead.missing.length > 0 || listing.problems.some((p) => p.kind === 'error')
  const take = (result: Examined): void => {
    done++
    report()
    const prior = known.get(result.planned.file.relPath)
    if ('problem' in result) {
      changes.problems.push(result.problem)
      if (result.rejected) rejected.push(result.rejected)
      else retryNextTime = true
      // A file that was a sample and is now unreadable leaves the grid, labels kept.
      if (prior?.status === 'present') changes.removedIds.push(prior.id)
    } else if (!prior) changes.added.push(result.scanned)
    else {
      if (prior.contentHash === result.scanned.contentHash && prior.status === 'present')
        changes.touched.push({ id: prior.id, mtimeMs: result.scanned.mtimeMs })
      else changes.changed.push({ ...result.scanned, id: prior.id })
      followRecord(changes, prior, result.planned.record, unreadable)
    }
  }
  try {
    await eachLimited(toRead, READ_CONCURRENCY, async (planned) => take(await examine(planned, fingerprints, signal)), signal)
  } catch (err) {
    // A fingerprint belongs to a content, not to this scan: those decoded before a cancel are kept,
    // so the next open (which reads the files again) decodes only the rest.
    fingerprints?.save()
    throw err
  }

  onProgress({ root, phase: 'saving', done: toRead.length, total: toRead.length })
  // Workers finish out of order; keep ids in path order so the grid shows a sorted dataset.
  changes.added.sort((a, b) => (a.relPath < b.relPath ? -1 : 1))
  changes.problems.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : (a.line ?? 0) - (b.line ?? 0)))
  const storedFiles = await Promise.all(labelRead.files.map(toStored))
  const stored: StoredFormat = {
    format: choice.format,
    options,
    chosenBy: choice.chosenBy,
    detected: choice.detected,
    classes: read.classes
  }
  // The last moment a cancel is honoured: after this the scan is stored whole (fingerprints kept as above).
  if (signal?.aborted) fingerprints?.save()
  signal?.throwIfAborted()
  const moved = changes.added.length + changes.changed.length + changes.removedIds.length > 0
  const datasetId = db.transaction(() => {
    const datasetId = ensureDataset(db, root)
    applyScanChanges(db, datasetId, changes)
    // The groups no longer describe these samples until the search below has run again: said in
    // the same transaction, so a process killed in between regroups on the next open (a reopen
    // that reuses this scan relies on it, and so did a whole one).
    if (moved) forgetGrouping(db, datasetId)
    saveRejectedFiles(db, datasetId, rejected)
    saveDatasetFormat(db, datasetId, stored)
    saveLabelFiles(db, datasetId, storedFiles, nowIso(), unreadable)
    // Taken with the format as it reads back, which is what the next open compares with.
    const saved = getDatasetFormat(db, datasetId) as StoredFormat
    saveListingSignature(db, datasetId, retryNextTime ? null : listingSignature(listing, readingContext(saved, appVersion)))
    fingerprints?.save()
    return datasetId
  })()
  // Then the duplicate search (issue 17), here or in the background: fingerprints of the contents
  // not decoded yet (new files, unchanged ones after an algorithm change or a cut-short search,
  // pixel rows), and the groups again where anything moved. It stores batch by batch; a cancel
  // there leaves the scan above stored and the search to be finished by the next open.
  const result: ScanResult = {
    datasetId,
    format: stored,
    moved,
    report: {
      added: changes.added.length,
      removed: changes.removedIds.length,
      changed: changes.changed.length,
      unchanged: unchanged + changes.touched.length,
      problems: changes.problems,
      durationMs: Math.round(performance.now() - started)
    }
  }
  if (searchDuplicates) await updateDuplicates(db, datasetId, root, moved, onProgress, signal)
  onProgress({ root, phase: 'done', done: toRead.length, total: toRead.length })
  return result
}

/**
 * A reopen of a folder whose listing is what the last whole scan saw, read the same way: the
 * samples, labels and problems that scan stored are what reading it again would give, so they are
 * used as they are. (The duplicate search after it still finishes one that was cut short.)
 */
function reuseLastScan(
  db: Db,
  datasetId: number,
  root: string,
  format: StoredFormat,
  listedAt: string,
  started: number,
  signal?: AbortSignal
): ScanResult {
  signal?.throwIfAborted()
  ensureDataset(db, root) // the time it was opened
  const last = lastScanOutcome(db, datasetId)
  return {
    datasetId,
    format,
    moved: false,
    report: {
      added: 0,
      removed: 0,
      changed: 0,
      unchanged: last.present,
      problems: last.problems,
      durationMs: Math.round(performance.now() - started),
      reusedScanOf: listedAt
    }
  }
}
