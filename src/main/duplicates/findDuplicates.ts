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
import { NEAR_DUPLICATE_SCORE, findNearDuplicates } from './nearSearch'

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
    const { samples, thumbs } = duplicateCandidates(db, datasetId, FINGERPRINT_ALGORITHM)
    const keys = [...thumbs.keys()]
    let lastCompared = 0
    const compared = (done: number, total: number): void => {
      const now = performance.now()
      if (now - lastCompared > 100 || done === total) {
        lastCompared = now
        onProgress({ root, phase: 'comparing', done, total })
      }
    }
    compared(0, 2 * keys.length)
    const near = await findNearDuplicates(
      keys.map((key) => thumbs.get(key) as Uint8Array),
      { signal, onProgress: compared }
    )
    // A search replaced while it compared must not store groups after it.
    signal?.throwIfAborted()
    const closePairs = near.map(({ a, b, score }) => ({ pixelKeyA: keys[a], pixelKeyB: keys[b], score }))
    const groupOf = groupDuplicates(
      samples,
      closePairs.filter((p) => p.score >= NEAR_DUPLICATE_SCORE).map((p) => [p.pixelKeyA, p.pixelKeyB] as const)
    )
    saveGroups(db, datasetId, groupOf, new Map(samples.map((c) => [c.sampleId, c.pixelKey])), GROUPING, closePairs)
  }
  return { fingerprinted: todo.length, grouped }
}
