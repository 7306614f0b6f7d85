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
 * differ in at most this many of 64 bits. Chosen by `npm run bench:duplicates` on a tuning half of
 * transformed FERPlus faces as the largest distance that keeps precision at or above 99 %; the
 * other half reports recall there (README, Duplicates).
 */
export const NEAR_DUPLICATE_BITS = 8

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
  const todo = contentsWithoutFingerprint(db, datasetId, FINGERPRINT_ALGORITHM)
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
  const grouped = changed || todo.length > 0 || groupingProducedBy(db, datasetId) !== GROUPING
  if (grouped) {
    const candidates = duplicateCandidates(db, datasetId, FINGERPRINT_ALGORITHM)
    const groupOf = groupDuplicates(candidates, NEAR_DUPLICATE_BITS)
    saveGroups(db, datasetId, groupOf, new Map(candidates.map((c) => [c.sampleId, c.pixelKey])), GROUPING)
  }
  return { fingerprinted: todo.length, grouped }
}
