/**
 * Dataset label formats: the shapes researchers receive datasets in (ImageFolder trees, RAF-DB's
 * list file, FERPlus vote files, FER2013's pixel CSV, AffectNet's CSVs, any CSV/TSV). Everything
 * here is plain data and pure functions over strings and bytes — no disk, no SQLite — so every
 * reader and writer is tested directly and used by the main side (scan, export) and the renderer
 * (format names, options, class mapping) alike.
 */
import type { Label } from '../emotions'
import type { Split } from '../splits'

export const FORMAT_IDS = ['imagefolder', 'rafdb', 'ferplus', 'fer2013', 'affectnet', 'csv'] as const
export type FormatId = (typeof FORMAT_IDS)[number]

/**
 * How FERPlus's ten annotator votes become one label (the modes of FERPlus's own training code):
 * 'majority' is the benchmark protocol; 'probability' keeps images whose top classes hold most
 * votes; 'argmax' takes the most-voted class, ties to the earlier class.
 */
export const FERPLUS_MODES = ['majority', 'probability', 'argmax'] as const
export type FerplusMode = (typeof FERPLUS_MODES)[number]

/**
 * One flat bag of options, stored as JSON with the dataset. Detection fills in what it found;
 * the user may override any of it when opening. Fields name the format they apply to.
 */
export interface FormatOptions {
  /** Label files, relative to the dataset root ('/'-separated). Found by detection. */
  labelFiles?: string[]
  /** FERPlus: how votes become a label (default 'majority'). */
  ferplusMode?: FerplusMode
  /** FERPlus: read the per-folder `label.csv` files (default) or the 2017 `fer2013new.csv`. */
  ferplusVotes?: 'label.csv' | 'fer2013new.csv'
  /** RAF-DB: which image folder to open (default: `aligned` when it holds images). */
  rafdbImages?: 'aligned' | 'original'
  /** AffectNet, generic CSV: folder prefix put in front of each listed path (e.g. `Manually_Annotated_Images/`). */
  imagePrefix?: string
  /** Generic CSV: field separator (default: guessed from the first line). */
  delimiter?: string
  /** Generic CSV: whether the first line names the columns (default: guessed). */
  hasHeader?: boolean
  /** Generic CSV: the column holding image paths — a header name, or a 0-based index. */
  pathColumn?: string | number
  /** Generic CSV: the column holding labels — a header name, or a 0-based index. */
  labelColumn?: string | number
  /** Generic CSV: optional column holding the split (train/val/test, Training/PublicTest…). */
  splitColumn?: string | number
  /** Generic CSV: class names in id order, when the label column holds numbers (0 → classes[0]). */
  classes?: string[]
}

/** A label file as read from disk: the exact bytes, so an export can give them back unchanged. */
export interface LabelFileBytes {
  path: string
  bytes: Uint8Array
}

/** 8-bit greyscale pixels of a sample that has no image file (FER2013's CSV). */
export interface GreyPixels {
  width: number
  height: number
  data: Uint8Array
}

/** Where a sample's label was read from, and what the file said. */
export interface RecordSource {
  /** Label file, relative to the dataset root. */
  file: string
  /** 1-based line number in that file. */
  line: number
  /** The label as written: `5`, `happy`, or FERPlus's ten votes `4,0,0,1,3,2,0,0,0,0`. */
  token: string
  /** Why the sample has no label although the file lists it (no majority, AffectNet None…). */
  excluded?: string
  /** Format-specific data kept for review: FERPlus votes, AffectNet face box, valence, arousal. */
  extras?: Record<string, unknown>
}

/** One sample as a format reader sees it. */
export interface SampleRecord {
  /** Image path relative to the root, or a virtual path such as `fer2013.csv#row-00123`. */
  relPath: string
  split: Split | null
  label: Label | null
  /** Null for ImageFolder, whose label is the folder the image sits in. */
  source: RecordSource | null
  /** Present when the sample has no image file: the image is these pixels. */
  pixels?: GreyPixels
}

/** Something wrong with a label file or an image, located as exactly as possible. */
export interface FormatProblem {
  /** Label file or image path, relative to the root. */
  relPath: string
  /** 1-based line in a label file. */
  line?: number
  kind: 'error' | 'ignored'
  reason: string
}

/** A class as the source format names it, and the canonical label it maps to. */
export interface SourceClass {
  /** The id or name as written in the source: `1`, `happy`, a FERPlus vote column. */
  id: string
  /** A readable name from the format's documentation (`Happiness`, `Not a face`). */
  name: string
  /** Canonical label, or null for ids that mean "no label" (FERPlus unknown, AffectNet None). */
  label: Label | null
  /** Samples read with this class. */
  count: number
}

export interface ReadResult {
  records: SampleRecord[]
  problems: FormatProblem[]
  classes: SourceClass[]
}

export interface ReadInput {
  /** The label files that exist, as read. */
  files: LabelFileBytes[]
  /** Image files found under the root. */
  images: ReadonlySet<string>
  options: FormatOptions
}

/** What happens to one line when its sample's label changed. */
export type LineRewrite =
  /** The line as it must now read. */
  | { line: string }
  /** Leave the line out (e.g. a list file has no way to say "no label"). */
  | { drop: true }
  /** The format cannot express this label; the reason says why. */
  | { unwritable: string }

export interface RewriteContext {
  /** The label file's first line (its header, for formats that have one). */
  header: string
  options: FormatOptions
  /** How this dataset spells each label in its own files (`happy` for happiness), to write changes alike. */
  spellings: ReadonlyMap<Label, string>
}

/** A format: reading its files into samples, and writing changed labels back the same way. */
export interface DatasetFormat {
  id: FormatId
  name: string
  description: string
  /**
   * Fills in the defaults that depend on what is on disk (which image folder, which columns),
   * so that what was used is stored, shown and reproducible. Options already set are kept.
   */
  completeOptions?(options: FormatOptions, input: Omit<ReadInput, 'options'>): FormatOptions
  read(input: ReadInput): ReadResult
  /** Whether an image found on disk belongs to the dataset; others are summarised, never opened. */
  ownsImage(relPath: string, options: FormatOptions): boolean
  /** Rewrites the line of a sample whose label changed. Absent for ImageFolder (no label file). */
  rewriteLine?(line: string, label: Label | null, context: RewriteContext): LineRewrite
  /** A new line for an image the file did not list but the user labelled. */
  appendLine?(relPath: string, label: Label, context: RewriteContext & { file: string }): LineRewrite
  /**
   * Named columns for a rewritten line's original content in a source export's
   * `relabelled-rows.csv` (FERPlus: the ten votes), so what the export replaced stays readable.
   */
  originalColumns?(line: string): Record<string, string> | null
}

/** What the renderer shows in the open screen's format choice. */
export interface FormatSpec {
  id: FormatId
  name: string
  description: string
  /** Option fields that make sense for this format. */
  options: (keyof FormatOptions)[]
}

/** One reading of a folder that detection found plausible, best first. */
export interface FormatCandidate {
  format: FormatId
  options: FormatOptions
  /** What was found, in words: "FER2013Train/label.csv with ten vote counts per image". */
  evidence: string
}

/** A source class mapped to the model's classes, as shown to the user. */
export interface ClassMappingEntry extends SourceClass {
  /** Whether the model has this class. False: kept as a label of its own, and said so. */
  inModel: boolean
  note?: string
}

/** The format a dataset was opened with, how it was chosen, and its class mapping. */
export interface DatasetFormatInfo {
  format: FormatId
  formatName: string
  options: FormatOptions
  /** What detection proposed; differs from `format` when the user chose by hand. */
  detected: FormatCandidate | null
  chosenBy: 'detection' | 'user'
  /** Label files read, relative to the root. */
  labelFiles: string[]
  classMapping: ClassMappingEntry[]
  /** The classes the mapping was checked against. */
  modelClasses: string[]
}
