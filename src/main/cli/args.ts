import { parseShardSpec, type ShardSpec } from '../cluster/shard'

/** Command-line arguments shared by the Electron entry and the `pokerface` command. */
export interface CliArgs {
  command: string
  folder: string | null
  dataDir: string | null
  port: number
  json: boolean
  /** infer */
  model: string | null
  provider: string
  batch: number
  threads: number | null
  generate: boolean
  /** infer: this task's slice of a cluster run (docs/cluster.md); --out names its result file */
  shard: ShardSpec | null
  /** merge: the shard result files after the dataset folder */
  files: string[]
  /** export */
  format: string
  out: string | null
  /** eval */
  split: string | null
  /** eval: a second model to compare with on the same images (McNemar's test) */
  pairedWith: string | null
  /** eval: compare each expressive face's poker face with the same person's neutral-labelled photo */
  neutralReference: boolean
  /** eval: count "same person" above this identity cosine instead of one derived from the folder */
  samePersonThreshold: number | null
  /** eval: who is in each photo, where the file names do not say it the ways people.ts reads */
  personPattern: RegExp | null
  /** eval: where to draw the model card's example grid (PNG) */
  grid: string | null
  force: boolean
  errors: string[]
}

const COMMANDS = new Set(['serve', 'open', 'infer', 'merge', 'export', 'eval', 'faces', 'help'])

/** Options that take a value. */
const VALUE_OPTIONS = new Set([
  '--data-dir',
  '--port',
  '--model',
  '--provider',
  '--batch',
  '--threads',
  '--format',
  '--out',
  '--split',
  '--grid',
  '--paired-with',
  '--same-person-threshold',
  '--person-pattern',
  '--shard'
])

function integer(value: string | null, name: string, min: number, max: number, errors: string[]): number | null {
  const v = Number(value)
  if (value === null || !Number.isInteger(v) || v < min || v > max) {
    errors.push(`${name} needs a whole number between ${min} and ${max}`)
    return null
  }
  return v
}

export function parseCliArgs(argv: string[]): CliArgs {
  const out: CliArgs = {
    command: 'serve',
    folder: null,
    dataDir: null,
    port: 0,
    json: false,
    model: null,
    provider: 'auto',
    batch: 16,
    threads: null,
    generate: true,
    shard: null,
    files: [],
    format: 'csv',
    out: null,
    split: null,
    grid: null,
    neutralReference: false,
    samePersonThreshold: null,
    personPattern: null,
    pairedWith: null,
    force: false,
    errors: []
  }
  const rest = [...argv]
  if (rest[0] && COMMANDS.has(rest[0])) out.command = rest.shift() as string
  while (rest.length) {
    const arg = rest.shift() as string
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1
    const flag = eq > 0 ? arg.slice(0, eq) : arg
    let value: string | null = null
    if (VALUE_OPTIONS.has(flag)) {
      value = eq > 0 ? arg.slice(eq + 1) : (rest.shift() ?? null)
      if (value === null || value === '') {
        out.errors.push(`${flag} needs a value`)
        continue
      }
    }
    switch (flag) {
      case '--data-dir':
        out.dataDir = value
        break
      case '--port':
        out.port = integer(value, '--port', 0, 65535, out.errors) ?? 0
        break
      case '--model':
        out.model = value
        break
      case '--provider':
        out.provider = value as string
        break
      case '--batch':
        out.batch = integer(value, '--batch', 1, 256, out.errors) ?? 16
        break
      case '--threads':
        out.threads = integer(value, '--threads', 1, 256, out.errors)
        break
      case '--format':
        out.format = value as string
        break
      case '--out':
        out.out = value
        break
      case '--split':
        if (!['train', 'valid', 'test', 'all'].includes(value as string))
          out.errors.push(`--split must be train, valid, test or all (not "${value}")`)
        out.split = value
        break
      case '--shard': {
        const spec = parseShardSpec(value as string)
        if ('error' in spec) out.errors.push(spec.error)
        else out.shard = spec
        break
      }
      case '--paired-with':
        out.pairedWith = value
        break
      case '--neutral-reference':
        out.neutralReference = true
        break
      case '--same-person-threshold': {
        const v = Number(value)
        if (!Number.isFinite(v) || v < -1 || v > 1)
          out.errors.push(`--same-person-threshold needs a cosine between -1 and 1 (not "${value}")`)
        else out.samePersonThreshold = v
        break
      }
      case '--person-pattern':
        try {
          out.personPattern = new RegExp(value as string)
        } catch (e) {
          out.errors.push(`--person-pattern needs a regular expression (${(e as Error).message})`)
        }
        break
      case '--grid':
        out.grid = value
        break
      case '--no-generate':
        out.generate = false
        break
      case '--force':
        out.force = true
        break
      case '--json':
        out.json = true
        break
      case '--help':
      case '-h':
        out.command = 'help'
        break
      default:
        if (flag.startsWith('-')) out.errors.push(`Unknown option: ${flag}`)
        else if (!out.folder) out.folder = arg
        else if (out.command === 'merge') out.files.push(arg)
        else out.errors.push(`Unexpected argument: ${arg}`)
    }
  }
  if (out.shard && out.command !== 'infer') out.errors.push('--shard belongs to pokerface infer')
  if (out.shard && out.command === 'infer' && !out.out)
    out.errors.push('--shard needs --out FILE: where this task writes its result file (one per shard, e.g. shard-3.pfshard)')
  return out
}

/** Exit codes of `pokerface`, documented in the README. */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  noImages: 3,
  badModel: 4,
  runFailed: 5,
  exists: 6,
  /** Another process is running inference into the same data folder (see store/dataFolderLock.ts). */
  busy: 7,
  /** pokerface merge: a shard file is damaged, foreign, or does not fit this store; nothing was imported. */
  badShard: 8,
  cancelled: 130
} as const

export const USAGE = `PokerFace Studio — review and clean facial-expression datasets

Usage:
  pokerface serve [folder] [--data-dir DIR] [--port N]
      Serve the review workspace in your browser (127.0.0.1 only) and open [folder].
  pokerface open <folder> [--json]
      Scan (or rescan) a dataset folder into the database and print what was found.
  pokerface infer <folder> [--model ID|FOLDER] [--provider auto|cpu|cuda|dml|coreml|webgpu]
                  [--batch N] [--threads N] [--no-generate] [--json]
      Run PF-ViT over every image that has no result yet for that model. One run at a time
      per data folder: a second one stops at once (exit 7) and says which process has it.
  pokerface infer <folder> --shard K/N --out FILE [--data-dir DIR] [infer's options]
      One task of a cluster run (docs/cluster.md): only the images whose content hash falls in
      shard K of N (0 ≤ K < N), into a self-contained result file. Its store is private to the task
      (default: a folder in $TMPDIR named after FILE), so tasks never share a data folder; a
      requeued task resumes there, and one whose FILE is already complete does nothing.
  pokerface merge <folder> <shard files…> [--model ID|FOLDER] [--data-dir DIR] [--json]
      Import shard result files into the dataset's store, after checking each against the store's
      model (id, contract, graph bytes, classes) and the dataset (content hashes). Merging twice
      changes nothing; a bad file is named and nothing is imported (exit 8).
  pokerface export <folder> --out PATH [--format csv|imagefolder|source|provenance-csv|provenance-json|changelog-csv] [--force]
      Write the current labels of an opened dataset.
  pokerface eval [folder] [--model ID|FOLDER] [--split test|valid|train|all] [--no-generate] [--out JSON] [--grid PNG]
                 [--neutral-reference] [--same-person-threshold COSINE] [--person-pattern REGEX]
                 [--paired-with ID|FOLDER]
      Accuracy, mean per-class recall, per-class recall, confusion matrix and calibration (JSON;
      with --out, the JSON goes to the file and one summary line is printed) through the app's own
      pipeline; default: FERPlus test ($PF_DATA_DIR/ferplus, else ../shared/data/ferplus). The split
      defaults to test where the folder has one, else all labelled faces. For a model that
      generates, also how often its own classifier and an independent judge ($PF_FACE_NETS_DIR,
      else ../shared/models) call poker faces neutral, their identity and L1 distance to the input
      against the reconstruction's; --neutral-reference compares each expressive face's poker face
      with the same person's neutral-labelled photo (the person read from the file name:
      subject07_happy, Al_Gore_0002, subject07/happy.png; --person-pattern REGEX says it where
      names differ, its first group being the person, e.g. '[AB]([FM]\\d\\d)' for KDEF's
      AF01ANS.JPG, person F01); --same-person-threshold judges identity by another set's bar
      (e.g. FERPlus test's, for Yale faces) instead of the one derived from this folder;
      --paired-with runs a second model on the same faces and adds McNemar's exact test of the
      two (paired_comparison); --grid draws 16 faces with what the model made of them.
  pokerface faces <photos folder> --out FOLDER [--json]
      Find every face in raw photos (BlazeFace), align it by the eyes and save the crops, in the
      same subfolders, with faces.csv linking each crop to its photo. Open FOLDER as a dataset.
  pokerface help

Options:
  --data-dir DIR   Where the database, caches and exports live
                   (default: $PF_HOME, else your platform's application-data folder).
  --port N         Port to listen on (default: a free one).
  --model          A model id (built-in or added before) or a model folder to add and use.
  --provider       Execution provider; auto picks CUDA/DirectML/CoreML where available, else CPU.
  --batch N        Images per model call (default 16).
  --threads N      CPU threads for the model (default: all cores, up to 8).
  --no-generate    Classify only: no poker faces or emotion maps (several times faster).
  --json           Print the result as one JSON line.
  --force          Replace an existing export file (the old one is kept as a .bak), or a shard's result file.
  --shard K/N      infer: this task's shard of N (see above); needs --out.

Exit codes: 0 done, 1 unexpected error, 2 bad usage, 3 no images in the folder, 4 model missing or
not fitting the model contract, 5 run failed, 6 export (or shard result) file exists, 7 data folder in
use by another run, 8 a shard file cannot be merged, 130 interrupted (Ctrl+C, or the terminal closed).
`
