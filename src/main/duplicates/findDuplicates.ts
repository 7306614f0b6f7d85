import { join } from 'node:path'
import type { ScanProgress } from '@shared/types'
import { eachLimited } from '../datasets/eachLimited'
import { readRegularFile } from '../media/readImageFile'
import type { Db } from '../store/db'
import {
  contentsWithoutFingerprint,
  fillMissingContrasts,
  duplicateCandidates,
  forgetGrouping,
  groupingProducedBy,
  saveFingerprints,
  saveGroups,
  type FingerprintOutcome
} from '../store/duplicates'
import { FINGERPRINT_ALGORITHM, fingerprintImage } from './fingerprint'
import { groupDuplicates } from './groups'
import { CLOSE_PAIR_SCORE, NEAR_DUPLICATE_SCORE, findNearDuplicates, type NearPairs } from './nearSearch'
import { THUMB_BYTES } from './thumbnail'
import { contrastBeyondPlane } from '../vision/contrast'

/** What produced a grouping: stored with the groups, so a new algorithm or threshold groups again. */
export const GROUPING = `${FINGERPRINT_ALGORITHM} near>=${NEAR_DUPLICATE_SCORE}`

/** Images decoded at once; fingerprints are stored in batches of BATCH, so a cancel keeps what was done. */
const CONCURRENCY = 4
const BATCH = 512

export interface DuplicateUpdate {
  fingerprinted: number
  grouped: boolean
}

/**
 * The scan's last step: fingerprints every content of the dataset that has none by the current
 * algorithm (new files, and every file after the algorithm changes), then groups the dataset again
 * where anything moved. `changed` says whether the scan added, changed or removed samples.
 * A cancel stops between batches; the fingerprints stored stay, and the grouping is forgotten so
 * the next open finishes both.
 */
export async function updateDuplicates(
  db: Db,
  datasetId: number,
  root: string,
  changed: boolean,
  onProgress: (progress: ScanProgress) => void,
  signal?: AbortSignal
): Promise<DuplicateUpdate> {
  // Thumbnails stored before their contrast was kept get it now, from the thumbnail alone (once per
  // store; a batch at a time, letting the app answer in between).
  while (fillMissingContrasts(db, FINGERPRINT_ALGORITHM, contrastBeyondPlane) > 0) {
    signal?.throwIfAborted()
    await new Promise((resolve) => setImmediate(resolve))
  }
  const current = groupingProducedBy(db, datasetId) === GROUPING
  // A grouping is stored only once every content of the dataset has a fingerprint (or a reason it
  // has none), and forgotten when that is cut short; so when this scan moved nothing and the
  // grouping is current, no content lacks one, and 300,000 contents need not be asked (1.5 s).
  const todo = !changed && current ? [] : contentsWithoutFingerprint(db, datasetId, FINGERPRINT_ALGORITHM)
  let done = 0
  const fingerprinted = throttled(onProgress, root, 'fingerprinting')
  const report = (): void => fingerprinted(done, todo.length)
  if (todo.length) report()
  try {
    for (let start = 0; start < todo.length; start += BATCH) {
      const batch = todo.slice(start, start + BATCH)
      const outcomes: FingerprintOutcome[] = new Array(batch.length)
      await eachLimited(
        batch,
        CONCURRENCY,
        async (content, i) => {
          try {
            const input = content.pixels ?? (await readRegularFile(join(root, content.relPath)))
            outcomes[i] = { contentHash: content.contentHash, fingerprint: await fingerprintImage(input) }
          } catch (err) {
            // The scan already judged the file usable; one that will not decode simply has no
            // fingerprint (it still groups with byte-identical files), and says why.
            outcomes[i] = { contentHash: content.contentHash, error: err instanceof Error ? err.message : String(err) }
          }
          done++
          report()
        },
        signal
      )
      saveFingerprints(db, FINGERPRINT_ALGORITHM, outcomes)
    }
  } catch (err) {
    forgetGrouping(db, datasetId)
    throw err
  }
  const grouped = changed || todo.length > 0 || !current
  // A search replaced while its last batch was stored must not store groups after it.
  signal?.throwIfAborted()
  if (grouped) await groupAgain(db, datasetId, root, onProgress, signal)
  return { fingerprinted: todo.length, grouped }
}

/**
 * Compares the dataset's distinct contents for near duplicates and stores its groups (exact and
 * near) with the close pairs they came from. A cancel stores nothing.
 */
async function groupAgain(
  db: Db,
  datasetId: number,
  root: string,
  onProgress: (progress: ScanProgress) => void,
  signal?: AbortSignal
): Promise<void> {
  const { samples, thumbs } = duplicateCandidates(db, datasetId, FINGERPRINT_ALGORITHM, THUMB_BYTES)
  const { keys } = thumbs
  const compared = throttled(onProgress, root, 'comparing')
  compared(0, 2 * keys.length)
  const near = await findNearDuplicates(thumbs.pixels, { signal, onProgress: compared })
  // A search replaced while it compared must not store groups after it.
  signal?.throwIfAborted()
  // Both read the pairs through generators: no array of millions of objects (see NearPairs).
  const nearPairs = mapPairs(near, NEAR_DUPLICATE_SCORE, (a, b) => [keys[a], keys[b]] as const)
  const closePairs = mapPairs(near, CLOSE_PAIR_SCORE, (a, b, score) => ({ pixelKeyA: keys[a], pixelKeyB: keys[b], score }))
  const pixelKeys = new Map(samples.map((c) => [c.sampleId, c.pixelKey]))
  saveGroups(db, datasetId, groupDuplicates(samples, nearPairs), pixelKeys, GROUPING, closePairs)
}

/** The pairs scoring at least `min`, each made into what the caller takes, one at a time. */
function* mapPairs<T>(pairs: NearPairs, min: number, make: (a: number, b: number, score: number) => T): Generator<T> {
  for (let p = 0; p < pairs.a.length; p++) if (pairs.score[p] >= min) yield make(pairs.a[p], pairs.b[p], pairs.score[p])
}

/** Progress of one phase, passed on at most every 100 ms (and at its end): an event goes to every window. */
function throttled(
  onProgress: (progress: ScanProgress) => void,
  root: string,
  phase: ScanProgress['phase']
): (done: number, total: number) => void {
  let last = 0
  return (done, total) => {
    const now = performance.now()
    if (now - last > 100 || done === total) {
      last = now
      onProgress({ root, phase, done, total })
    }
  }
}
