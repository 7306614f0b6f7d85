import type { Label } from '@shared/emotions'
import type { Split } from '@shared/splits'
import { ContentPositions } from './contentPositions'
import type { Db } from './db'
import { mixedWidths, readPredictionsOnThread } from './predictionsThread'
import { countLabels, type LabelCount } from './review'

/**
 * What a ranking reads of a dataset (issue 19): every present sample with the model's prediction
 * for its content. Samples and predictions share nothing but the content hash, so the first
 * ranking joins them by it (5-6 s at 1M samples, most of a ranking); the join is then kept, and
 * ranking again after relabelling (the review's "Rank again") reads only the samples' labels.
 * The kept join is used while ranking_input_writes (triggers count every write to a model's
 * predictions and to a dataset's samples' contents and presence, migrations.ts) says nothing it
 * was made from has changed, whichever process wrote.
 */

/**
 * What the ranking reads of each sample, as columns: position i of every column is one sample.
 * Columns, not an object a sample: 1M objects (and 1M hash strings to match them by) cost more
 * than reading the rows (see contentPositions.ts).
 */
export interface RankingInputs {
  length: number
  sampleIds: number[]
  originalLabels: (Label | null)[]
  currentLabels: (Label | null)[]
  splits: (Split | null)[]
  /** `width` values a sample: the model's probabilities, in its class order. */
  probabilities: Float64Array
  width: number
  /** The emotion intensity, NaN where the model gave none. */
  intensity: Float64Array
}

export interface RankingRead {
  /** Every present sample with a prediction by the model, in sample id order. */
  inputs: RankingInputs
  /** The present samples without one, counted by their labels (their predicted class is null). */
  unpredicted: LabelCount[]
  /** PRAGMA data_version as the read began: whether another connection has written since (saveRanking). */
  dataVersion: number
}

/** Sample `i`'s probabilities: a view, not a copy. */
export function probabilitiesAt(inputs: RankingInputs, i: number): Float64Array {
  return inputs.probabilities.subarray(i * inputs.width, (i + 1) * inputs.width)
}

/** The join of a dataset's present samples (in id order) to a model's predictions. */
interface Joined {
  datasetId: number
  modelId: string
  /** ranking_input_writes' counts for the model and the dataset when it was read. */
  writes: string
  sampleIds: number[]
  /** 1 where the sample's content has a prediction. */
  found: Uint8Array
  probabilities: Float64Array
  width: number
  intensity: Float64Array
}

/** One join per connection: the dataset being reviewed (72 MB at 1M samples and 8 classes). */
const kept = new WeakMap<Db, Joined>()

/**
 * From this many present samples on, the model's predictions are read on a second thread while
 * this one reads the samples (predictionsThread.ts). Below it the thread saves nothing: on FERPlus
 * (35,710 faces) the read took 0.27-0.42 s with it and 0.26-0.40 s without, five times each, taking
 * turns (a one-off probe); at 1M it saves ~2 s.
 */
const PREDICTIONS_THREAD_AT = 100_000

interface ReadOptions {
  /** PREDICTIONS_THREAD_AT, for the tests to take either path on a small store. */
  predictionsThreadAt?: number
}

/**
 * Every present sample of a dataset with a prediction by the model, with what the ranking needs,
 * in sample id order, and the others counted by label. The counts, the join and the labels are
 * read in one transaction: one state of the store.
 */
export function rankingInputs(db: Db, datasetId: number, modelId: string, options: ReadOptions = {}): RankingRead {
  return db.transaction((): RankingRead => {
    const dataVersion = db.pragma('data_version', { simple: true }) as number
    const writes = inputWrites(db, datasetId, modelId)
    const before = kept.get(db)
    const fits = before && before.datasetId === datasetId && before.modelId === modelId && before.writes === writes
    let labels = fits ? readLabels(db, datasetId, before.sampleIds) : null
    let joined: Joined
    if (before && labels) joined = before
    else {
      ;({ joined, labels } = readJoined(db, datasetId, modelId, writes, options.predictionsThreadAt ?? PREDICTIONS_THREAD_AT))
      kept.set(db, joined)
    }
    const columns: RankingInputs = {
      ...labels,
      probabilities: joined.probabilities,
      width: joined.width,
      intensity: joined.intensity
    }
    const unpredicted: { originalLabel: Label | null; currentLabel: Label | null; predicted: null }[] = []
    for (let i = 0; i < columns.length; i++)
      if (joined.found[i] === 0)
        unpredicted.push({ originalLabel: columns.originalLabels[i], currentLabel: columns.currentLabels[i], predicted: null })
    return { inputs: keepFound(columns, joined.found), unpredicted: countLabels(unpredicted), dataVersion }
  })()
}

/** How many writes the model's predictions and the dataset's samples have had (migrations.ts). */
function inputWrites(db: Db, datasetId: number, modelId: string): string {
  const count = db.prepare('SELECT n FROM ranking_input_writes WHERE scope = ?').pluck()
  return `${(count.get(`model:${modelId}`) as number | undefined) ?? 0}:${(count.get(`dataset:${datasetId}`) as number | undefined) ?? 0}`
}

type Labels = Pick<RankingInputs, 'length' | 'sampleIds' | 'originalLabels' | 'currentLabels' | 'splits'>

/** The samples' label columns, added to a row at a time. */
function labelColumns(): {
  labels: Labels
  add: (id: number, original: Label | null, current: Label | null, split: Split | null) => void
} {
  const labels: Labels = { length: 0, sampleIds: [], originalLabels: [], currentLabels: [], splits: [] }
  // One string per label value rather than one per row: the rows' own strings are left to die young.
  const words = new Map<string, string>()
  const word = <T extends string>(s: T | null): T | null => {
    if (s === null) return null
    const held = words.get(s)
    if (held !== undefined) return held as T
    words.set(s, s)
    return s
  }
  return {
    labels,
    add(id, original, current, split) {
      labels.sampleIds.push(id)
      labels.originalLabels.push(word(original))
      labels.currentLabels.push(word(current))
      labels.splits.push(word(split))
      labels.length++
    }
  }
}

// Both tables are read in storage order, their indexes kept out of it (the unary +): through an
// index SQLite sorted 1M samples by id again (1.4 s, against 1.0 s for the table read through) and
// looked 1M predictions up one by one by rowid (2.4 s, against 1.0 s; a one-off probe on the
// bench:scale store). A table read through also passes other models' and datasets' rows, cheaper
// per row than a lookup. Rows are read as arrays: better-sqlite3's row objects cost more than the reads.
const SAMPLES_SQL = `FROM samples WHERE +dataset_id = ? AND +status = 'present' ORDER BY id`
const PREDICTIONS_SQL = 'SELECT content_hash, probabilities, emotion_intensity FROM predictions WHERE +model_id = ?'

/**
 * The present samples' labels, if their ids are still `ids` (a kept join's); null if not. The
 * triggers already count a sample added or gone, so this is a second look, and it costs nothing
 * extra: the ids come with the labels.
 */
function readLabels(db: Db, datasetId: number, ids: number[]): Labels | null {
  const rows = db
    .prepare(`SELECT id, original_label, current_label, split ${SAMPLES_SQL}`)
    .raw()
    .iterate(datasetId) as IterableIterator<[number, Label | null, Label | null, Split | null]>
  const { labels, add } = labelColumns()
  for (const [sampleId, originalLabel, currentLabel, split] of rows) {
    if (ids[labels.length] !== sampleId) return null
    add(sampleId, originalLabel, currentLabel, split)
  }
  return labels.length === ids.length ? labels : null
}

/**
 * Reads the dataset's present samples and the model's predictions and joins them by content hash.
 * In sqlite3 itself, looking each of 1M samples' content hash up in predictions took 6 s, reading
 * the dataset's samples and the model's predictions once each 0.7 s and 0.2-1.3 s (issue 19).
 */
function readJoined(
  db: Db,
  datasetId: number,
  modelId: string,
  writes: string,
  threadAt: number
): { joined: Joined; labels: Labels } {
  const count = db
    .prepare(`SELECT count(*) FROM samples WHERE dataset_id = ? AND status = 'present'`)
    .pluck()
    .get(datasetId) as number
  // Big datasets read the model's predictions on a second thread meanwhile.
  const thread = count >= threadAt && !db.memory ? readPredictionsOnThread(db, modelId) : null
  const samples = db
    .prepare(`SELECT id, content_hash, original_label, current_label, split ${SAMPLES_SQL}`)
    .raw()
    .iterate(datasetId) as IterableIterator<[number, string, Label | null, Label | null, Split | null]>
  const { labels, add } = labelColumns()
  const positions = new ContentPositions(count)
  for (const [sampleId, hash, originalLabel, currentLabel, split] of samples) {
    positions.add(hash)
    add(sampleId, originalLabel, currentLabel, split)
  }
  const n = labels.length
  const joined: Joined = {
    datasetId,
    modelId,
    writes,
    sampleIds: labels.sampleIds,
    found: new Uint8Array(n),
    probabilities: new Float64Array(0),
    width: 0,
    intensity: new Float64Array(n).fill(Number.NaN)
  }
  /** Gives the content's samples, from `at` on, the `width` probabilities at `from[offset…]`. */
  const fill = (at: number, from: ArrayLike<number>, offset: number, width: number, intensity: number): void => {
    if (joined.width === 0) {
      joined.width = width
      joined.probabilities = new Float64Array(n * width)
    }
    if (width !== joined.width) throw mixedWidths(modelId, joined.width, width)
    // One sample per content almost always; identical files share the prediction.
    for (; at !== -1; at = positions.next(at)) {
      for (let c = 0; c < width; c++) joined.probabilities[at * width + c] = from[offset + c]
      joined.intensity[at] = intensity
      joined.found[at] = 1
    }
  }
  const read = thread?.finish() ?? null
  if (read) {
    for (let j = 0; j < read.count; j++) {
      const other = read.otherHashes.get(j)
      const at = other === undefined ? positions.firstByWords(read.words, j * 8) : positions.first(other)
      if (at !== -1) fill(at, read.probabilities, j * read.width, read.width, read.intensity[j])
    }
  } else {
    const predictions = db.prepare(PREDICTIONS_SQL).raw().iterate(modelId) as IterableIterator<[string, string, number | null]>
    for (const [hash, json, intensity] of predictions) {
      const at = positions.first(hash)
      if (at === -1) continue
      const probabilities = JSON.parse(json) as number[]
      fill(at, probabilities, 0, probabilities.length, intensity ?? Number.NaN)
    }
  }
  return { joined, labels }
}

/** The inputs at the positions `found` marks, in order (the same columns when every sample is there). */
function keepFound(all: RankingInputs, found: Uint8Array): RankingInputs {
  const kept = found.reduce((n, f) => n + f, 0)
  if (kept === all.length) return all
  const { width } = all
  const out: RankingInputs = {
    length: kept,
    sampleIds: [],
    originalLabels: [],
    currentLabels: [],
    splits: [],
    probabilities: new Float64Array(kept * width),
    width,
    intensity: new Float64Array(kept)
  }
  let k = 0
  for (let i = 0; i < all.length; i++) {
    if (found[i] === 0) continue
    out.sampleIds.push(all.sampleIds[i])
    out.originalLabels.push(all.originalLabels[i])
    out.currentLabels.push(all.currentLabels[i])
    out.splits.push(all.splits[i])
    out.probabilities.set(probabilitiesAt(all, i), k * width)
    out.intensity[k] = all.intensity[i]
    k++
  }
  return out
}
