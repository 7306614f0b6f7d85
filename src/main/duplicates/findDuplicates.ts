import { join } from 'node:path'
import type { ScanProgress } from '@shared/types'
import { eachLimited } from '../datasets/eachLimited'
import { readRegularFile } from '../media/readImageFile'
import type { Db } from '../store/db'
import {
  contentsWithoutFingerprint,
  duplicateCandidates,
  forgetGrouping,
  groupingProducedBy,
  saveFingerprints,
  saveGroups,
  type FingerprintOutcome
} from '../store/duplicates'
import { FINGERPRINT_ALGORITHM, fingerprintImage } from './fingerprint'
import { groupDuplicates } from './groups'

/**
 * Two faces are near duplicates when their perceptual hashes (or one's and the other's mirror)
 * differ in at most this many of 64 bits. `npm run bench:duplicates` measured on transformed FERPlus
 * faces (README, Duplicates): no distance reaches 99 % precision there — aligned 48-px faces share
 * their lowest frequencies, so even distance 0 is 98 % precise — and 8 bits chains thousands of
 * FERPlus faces into one group. 4 bits keeps FERPlus's largest group at a few dozen faces, catches
 * mirrored, re-encoded and brightened copies, and leaves every pair for a person to confirm in the
 * queue; shifted and cropped copies are mostly missed (see the README for the figures).
 */
export const NEAR_DUPLICATE_BITS = 4

/** What produced a grouping: stored with the groups, so a new algorithm or threshold groups again. */
export const GROUPING = `${FINGERPRINT_ALGORITHM} near<=${NEAR_DUPLICATE_BITS}`

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
  const current = groupingProducedBy(db, datasetId) === GROUPING
  // A grouping is stored only once every content of the dataset has a fingerprint (or a reason it
  // has none), and forgotten when that is cut short; so when this scan moved nothing and the
  // grouping is current, no content lacks one, and 300,000 contents need not be asked (1.5 s).
  const todo = !changed && current ? [] : contentsWithoutFingerprint(db, datasetId, FINGERPRINT_ALGORITHM)
  let done = 0
  let lastReport = 0
  const report = (): void => {
    const now = performance.now()
    if (now - lastReport > 100 || done === todo.length) {
      lastReport = now
      onProgress({ root, phase: 'fingerprinting', done, total: todo.length })
    }
  }
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
  if (grouped) {
    const candidates = duplicateCandidates(db, datasetId, FINGERPRINT_ALGORITHM)
    const groupOf = groupDuplicates(candidates, NEAR_DUPLICATE_BITS)
    saveGroups(db, datasetId, groupOf, new Map(candidates.map((c) => [c.sampleId, c.pixelKey])), GROUPING)
  }
  return { fingerprinted: todo.length, grouped }
}
