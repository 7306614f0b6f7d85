/**
 * The grid's orders by a score, computed in memory (issue 19). SQLite served them from one B-tree
 * per order and direction, and a 1M-face ranking spent 10 of its 24 s rebuilding twelve of them
 * (a one-off probe on bench:scale's store), whether or not anyone ever sorted by that score. Here
 * an order costs one sort of the scores when it is first asked for, and each page is a walk along it.
 *
 * Pure: the scores come in as arrays (store/scoreOrders.ts reads and keeps them).
 */

/** An order of rows: `rows` in grid order, and where each sort group starts in it. */
export interface RowOrder {
  rows: Int32Array
  /** groupStarts[g] .. groupStarts[g + 1] are group g's rows; the last entry is rows.length. */
  groupStarts: Int32Array
}

const DIGIT_BITS = 16
const BUCKETS = 1 << DIGIT_BITS

/**
 * Rows sorted by group (ascending), then by key (descending or ascending), ties by row number, as an
 * ORDER BY over (group, key, row) would: rows given in sample id order give SQL's id tie-break. A
 * group's keys may be NaN (a NULL score) only where the whole group is (they are then all equal).
 * Stable LSD radix on the key's IEEE-754 bits, 16 at a time, then the groups: a 1M-row comparator
 * sort took 0.57-0.78 s, this ~0.1 s.
 */
export function sortRows(keys: Float64Array, groups: Uint8Array, groupCount: number, descending: boolean): RowOrder {
  const n = keys.length
  const { hi, lo } = sortableBits(keys, descending)
  let from: Int32Array = new Int32Array(n)
  for (let i = 0; i < n; i++) from[i] = i
  let to: Int32Array = new Int32Array(n)
  const count = new Int32Array(BUCKETS)
  const digits: ((row: number) => number)[] = [
    (r) => lo[r] & 0xffff,
    (r) => lo[r] >>> 16,
    (r) => hi[r] & 0xffff,
    (r) => hi[r] >>> 16
  ]
  for (const digit of digits) {
    count.fill(0)
    for (let i = 0; i < n; i++) count[digit(i)]++
    // A digit every row shares (the exponent of scores in 0..1, mostly) orders nothing.
    if (n === 0 || count[digit(0)] === n) continue
    for (let b = 0, sum = 0; b < BUCKETS; b++) {
      const c = count[b]
      count[b] = sum
      sum += c
    }
    for (let i = 0; i < n; i++) {
      const r = from[i]
      to[count[digit(r)]++] = r
    }
    ;[from, to] = [to, from]
  }
  const groupStarts = new Int32Array(groupCount + 1)
  for (let i = 0; i < n; i++) groupStarts[groups[i] + 1]++
  for (let g = 0; g < groupCount; g++) groupStarts[g + 1] += groupStarts[g]
  const next = groupStarts.slice(0, groupCount)
  for (let i = 0; i < n; i++) {
    const r = from[i]
    to[next[groups[r]]++] = r
  }
  return { rows: to, groupStarts }
}

/**
 * Each key as two unsigned 32-bit halves that compare as the numbers do (ascending, or descending
 * with every bit turned): negative numbers' bits reversed, positive ones' sign bit set. −0 is
 * made +0 first, because SQLite compares them equal.
 */
function sortableBits(keys: Float64Array, descending: boolean): { hi: Uint32Array; lo: Uint32Array } {
  const n = keys.length
  const copy = new Float64Array(n)
  for (let i = 0; i < n; i++) copy[i] = keys[i] === 0 || Number.isNaN(keys[i]) ? 0 : keys[i]
  const words = new Uint32Array(copy.buffer)
  const hi = new Uint32Array(n)
  const lo = new Uint32Array(n)
  const flip = descending ? 0xffffffff : 0
  // Little-endian: a double's low word first (every platform Node ships for).
  for (let i = 0; i < n; i++) {
    let h = words[2 * i + 1]
    let l = words[2 * i]
    if (h & 0x80000000) {
      h = ~h
      l = ~l
    } else h |= 0x80000000
    hi[i] = (h ^ flip) >>> 0
    lo[i] = (l ^ flip) >>> 0
  }
  return { hi, lo }
}

/**
 * The ids of an order as the grid walks it: `ids` in order, with `extra` (ascending ids: faces
 * without a score row) merged by id into the run [mergeFrom, mergeTo) of `ids`, itself ascending
 * (a group of NULL scores, which SQL orders by id). `visit` returns true to stop.
 */
export function walkOrder(
  ids: Int32Array,
  merge: { from: number; to: number; extra: Int32Array },
  visit: (id: number) => boolean
): void {
  const { from, to, extra } = merge
  for (let i = 0; i < from; i++) if (visit(ids[i])) return
  let e = 0
  for (let i = from; i < to; i++) {
    while (e < extra.length && extra[e] < ids[i]) if (visit(extra[e++])) return
    if (visit(ids[i])) return
  }
  while (e < extra.length) if (visit(extra[e++])) return
  for (let i = to; i < ids.length; i++) if (visit(ids[i])) return
}

/** The ids `accept` lets through at grid positions [offset, offset + limit) of a walk. */
export function pageOf(
  walk: (visit: (id: number) => boolean) => void,
  accept: (id: number) => boolean,
  offset: number,
  limit: number
): number[] {
  const page: number[] = []
  if (limit <= 0) return page
  let seen = 0
  walk((id) => {
    if (!accept(id)) return false
    if (seen++ >= offset) page.push(id)
    return page.length >= limit
  })
  return page
}

/** Where `sampleId` stands among the ids `accept` lets through, 0-based; null when it is not among them. */
export function positionOf(
  walk: (visit: (id: number) => boolean) => void,
  accept: (id: number) => boolean,
  sampleId: number
): number | null {
  let seen = 0
  let found: number | null = null
  walk((id) => {
    if (!accept(id)) return false
    if (id === sampleId) found = seen
    seen++
    return found !== null
  })
  return found
}

/** How many ids of a walk `accept` lets through. */
export function countOf(walk: (visit: (id: number) => boolean) => void, accept: (id: number) => boolean): number {
  let n = 0
  walk((id) => {
    if (accept(id)) n++
    return false
  })
  return n
}

/** Membership of a set of sample ids, by a byte per id up to the largest (1 MB at 1M faces). */
export function idMembership(ids: ArrayLike<number>): (id: number) => boolean {
  let max = -1
  for (let i = 0; i < ids.length; i++) if (ids[i] > max) max = ids[i]
  const member = new Uint8Array(max + 1)
  for (let i = 0; i < ids.length; i++) member[ids[i]] = 1
  return (id) => id <= max && member[id] === 1
}
