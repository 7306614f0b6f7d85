/**
 * Where each content hash sits in a list of samples: the ranking's join of a dataset's samples to
 * a model's predictions, which share nothing but the content hash (issue 19).
 *
 * A Map keyed by 1M hash strings (and an object a sample) cost more than the reads themselves:
 * reading 1M samples and predictions took 6.8-7.1 s that way against 4.8-5.1 s with a prototype of
 * this table and typed columns (a one-off probe on the bench:scale store, four fresh processes each,
 * taking turns). A SHA-256 in lowercase hex (what the scanner stores) is kept as eight 32-bit
 * words in one typed array instead, found by open addressing on its first word; any other string
 * (test fixtures, stores from elsewhere) goes to an ordinary Map. Either way a match is exact.
 */
const WORDS = 8

/**
 * Writes `hash`'s eight words at `out[at…]`; false (and nothing reliable written) unless it is 64
 * lowercase hex digits. Self-contained (no name from outside it): the predictions thread runs its
 * source too (predictionsThread.ts).
 */
export function hexWords(hash: string, out: Uint32Array, at: number): boolean {
  if (hash.length !== 64) return false
  for (let w = 0; w < 8; w++) {
    let word = 0
    for (let j = w * 8; j < w * 8 + 8; j++) {
      const c = hash.charCodeAt(j)
      // Lowercase only: 'AB' and 'ab' are different strings, so they must not meet here.
      const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1
      if (digit < 0) return false
      word = (word << 4) | digit
    }
    out[at + w] = word
  }
  return true
}

export class ContentPositions {
  private readonly words: Uint32Array
  /** Slot → the first position with that content, or -1. */
  private readonly table: Int32Array
  /** Position → the next position with the same content, or -1 (identical files). */
  private readonly following: Int32Array
  private readonly others = new Map<string, number>()
  private readonly scratch = new Uint32Array(WORDS)
  private added = 0

  /** `capacity`: how many positions will be added, at most. */
  constructor(readonly capacity: number) {
    let size = 16
    while (size < capacity * 2) size *= 2
    this.words = new Uint32Array(capacity * WORDS)
    this.table = new Int32Array(size).fill(-1)
    this.following = new Int32Array(capacity).fill(-1)
  }

  /** Adds the next position (0, 1, 2, … in turn) with its content hash. */
  add(hash: string): number {
    const position = this.added
    if (position >= this.capacity) throw new RangeError(`ContentPositions holds ${this.capacity} positions`)
    this.added++
    const first = hexWords(hash, this.words, position * WORDS) ? this.slotOf(this.words, position * WORDS) : -2
    if (first === -2) {
      const head = this.others.get(hash)
      if (head === undefined) this.others.set(hash, position)
      else this.append(head, position)
    } else if (this.table[first] === -1) this.table[first] = position
    else this.append(this.table[first], position)
    return position
  }

  /** The first position with this content, or -1. */
  first(hash: string): number {
    if (!hexWords(hash, this.scratch, 0)) return this.others.get(hash) ?? -1
    return this.table[this.slotOf(this.scratch, 0)]
  }

  /** The first position with the content whose hexWords are at `words[at…]`, or -1. */
  firstByWords(words: Uint32Array, at: number): number {
    return this.table[this.slotOf(words, at)]
  }

  /** The position after `position` with the same content, or -1. */
  next(position: number): number {
    return this.following[position]
  }

  /** The slot holding these words' content, or the empty slot where it would go. */
  private slotOf(words: Uint32Array, at: number): number {
    const mask = this.table.length - 1
    for (let slot = words[at] & mask; ; slot = (slot + 1) & mask) {
      const held = this.table[slot]
      if (held === -1 || this.sameWords(held, words, at)) return slot
    }
  }

  private sameWords(position: number, words: Uint32Array, at: number): boolean {
    const base = position * WORDS
    for (let w = 0; w < WORDS; w++) if (this.words[base + w] !== words[at + w]) return false
    return true
  }

  private append(head: number, position: number): void {
    let last = head
    while (this.following[last] !== -1) last = this.following[last]
    this.following[last] = position
  }
}
