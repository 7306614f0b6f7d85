import type { Db } from '../store/db'
import { fingerprintLookup, saveFingerprints, type FingerprintOutcome } from '../store/duplicates'
import { FINGERPRINT_ALGORITHM, fingerprintImage } from './fingerprint'

/**
 * Files up to this size are fingerprinted from the scan's own read of them (issue 17: reading and
 * decoding every file a second time after the scan nearly doubled FERPlus's first open). Larger
 * ones — rare in face datasets — are read again by updateDuplicates rather than held in memory
 * (the scan reads four files at once).
 */
export const FINGERPRINT_WHILE_SCANNING_BYTES = 16 * 1024 * 1024

/**
 * Fingerprints the contents a scan reads, as it reads them, for the scan to store with its own
 * changes (a cancelled scan stores neither; the next open reads the files again anyway). Contents
 * that already have a fingerprint by the current algorithm, or were fingerprinted earlier in this
 * scan (identical files), are not decoded again.
 */
export class ScanFingerprints {
  private readonly outcomes: FingerprintOutcome[] = []
  private readonly seen = new Set<string>()
  private readonly stored: (contentHash: string) => boolean

  constructor(private readonly db: Db) {
    this.stored = fingerprintLookup(db, FINGERPRINT_ALGORITHM)
  }

  async add(contentHash: string, bytes: Uint8Array): Promise<void> {
    if (this.seen.has(contentHash)) return
    // Marked before the decode: another file with these bytes may be read while this one decodes.
    this.seen.add(contentHash)
    if (this.stored(contentHash)) return
    try {
      this.outcomes.push({ contentHash, fingerprint: await fingerprintImage(bytes) })
    } catch (err) {
      // The scan judged the file usable; one that will not decode simply has no fingerprint (it
      // still groups with byte-identical files), and says why — as in updateDuplicates.
      this.outcomes.push({ contentHash, error: err instanceof Error ? err.message : String(err) })
    }
  }

  /** Stores what was computed; call inside the scan's transaction. */
  save(): void {
    saveFingerprints(this.db, FINGERPRINT_ALGORITHM, this.outcomes)
  }
}
