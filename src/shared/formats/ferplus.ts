/**
 * FERPlus, as FERPlus's `generate_training_data.py` leaves it: FER2013Train/Valid/Test folders of
 * 48×48 PNGs, each with a `label.csv` (no header) of `name,"(x, y, w, h)",v0..v9`; or the 2017
 * `fer2013new.csv` (`Usage,Image name,neutral,…,NF`, one row per FER2013 row, empty names for
 * rows that are not faces) as the vote file instead.
 */
import { EMOTIONS, type Label } from '../emotions'
import { splitFromFolderName, type Split } from '../splits'
import { countFixedClasses, type ClassTable } from './classes'
import { parseCsvLine, type CsvField } from './csv'
import { FERPLUS_COLUMNS, labelFromVotes, votesForLabel } from './ferplusVotes'
import { splitLines } from './lines'
import type { DatasetFormat, FormatOptions, FormatProblem, LabelFileBytes, LineRewrite, SampleRecord } from './types'

export const FERPLUS_SPLIT_FOLDERS = ['FER2013Train', 'FER2013Valid', 'FER2013Test'] as const
export const FERPLUS_NEW_VOTES = 'fer2013new.csv'

const USAGE_FOLDER: Record<string, string> = {
  Training: 'FER2013Train',
  PublicTest: 'FER2013Valid',
  PrivateTest: 'FER2013Test'
}

export const FERPLUS_CLASSES: ClassTable = [
  ...EMOTIONS.map((e, i) => [String(i), e[0].toUpperCase() + e.slice(1), e] as const),
  ['8', 'Unknown', null],
  ['9', 'Not a face (NF)', null]
]

const VOTES = FERPLUS_COLUMNS.length

function dirOf(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash === -1 ? '' : path.slice(0, slash + 1)
}

function isNewVoteFile(path: string): boolean {
  return path === FERPLUS_NEW_VOTES || path.endsWith('/' + FERPLUS_NEW_VOTES)
}

/** The ten vote counts at the end of a row, or why they are not there. */
function parseVotes(fields: CsvField[]): number[] | string {
  if (fields.length < VOTES + 1)
    return `expected ${VOTES} vote counts, found ${Math.max(0, fields.length - 1)} fields after the name`
  const raw = fields.slice(-VOTES).map((f) => f.value.trim())
  const votes = raw.map(Number)
  const bad = votes.findIndex((v, i) => raw[i] === '' || !Number.isFinite(v) || v < 0)
  return bad === -1 ? votes : `vote count for ${FERPLUS_COLUMNS[bad]} is ${JSON.stringify(raw[bad])}, not a number of votes`
}

/** Which class (by FERPlus column) a record ended up with, for the class-mapping counts. */
function classIdOf(record: SampleRecord): string | undefined {
  if (record.label !== null) return String(EMOTIONS.indexOf(record.label as (typeof EMOTIONS)[number]))
  if (record.source?.excluded?.endsWith('unknown')) return '8'
  if (record.source?.excluded?.endsWith('not a face')) return '9'
  return undefined
}

function readLabelCsv(file: LabelFileBytes, options: FormatOptions, records: SampleRecord[], problems: FormatProblem[]): void {
  const folder = dirOf(file.path)
  const split = splitFromFolderName(folder.slice(0, -1).split('/').pop() ?? '')
  for (const line of splitLines(file.bytes)) {
    if (line.text.trim() === '') continue
    const parsed = parseCsvLine(line.text)
    const votes = parsed.ok ? parseVotes(parsed.fields) : parsed.reason
    if (!parsed.ok || typeof votes === 'string' || parsed.fields.length !== VOTES + 2 || parsed.fields[0].value === '') {
      const why = typeof votes === 'string' ? votes : `expected name, face box and ${VOTES} vote counts`
      problems.push({ relPath: file.path, line: line.number, kind: 'error', reason: `line ${line.number}: ${why}` })
      continue
    }
    records.push(voteRecord(`${folder}${parsed.fields[0].value}`, split, votes, file.path, line.number, options))
  }
}

function readNewVotes(file: LabelFileBytes, options: FormatOptions, records: SampleRecord[], problems: FormatProblem[]): void {
  const lines = splitLines(file.bytes)
  const folder = dirOf(file.path)
  const header = lines[0] ? parseCsvLine(lines[0].text) : null
  if (!header?.ok || header.fields[1]?.value.trim().toLowerCase() !== 'image name') {
    problems.push({
      relPath: file.path,
      line: 1,
      kind: 'error',
      reason: 'line 1: expected the header "Usage,Image name,neutral,…,NF"'
    })
    return
  }
  const nameless: number[] = []
  for (const line of lines.slice(1)) {
    if (line.text.trim() === '') continue
    const parsed = parseCsvLine(line.text)
    const votes = parsed.ok ? parseVotes(parsed.fields) : parsed.reason
    if (!parsed.ok || typeof votes === 'string' || parsed.fields.length !== VOTES + 2) {
      const why = typeof votes === 'string' ? votes : `expected Usage, image name and ${VOTES} vote counts`
      problems.push({ relPath: file.path, line: line.number, kind: 'error', reason: `line ${line.number}: ${why}` })
      continue
    }
    const [usage, name] = parsed.fields.map((f) => f.value.trim())
    if (name === '') {
      nameless.push(line.number)
      continue
    }
    const splitFolder = USAGE_FOLDER[usage]
    if (!splitFolder) {
      problems.push({
        relPath: file.path,
        line: line.number,
        kind: 'error',
        reason: `line ${line.number}: unknown Usage ${JSON.stringify(usage)} (expected Training, PublicTest or PrivateTest)`
      })
      continue
    }
    const split = splitFromFolderName(splitFolder)
    records.push(voteRecord(`${folder}${splitFolder}/${name}`, split, votes, file.path, line.number, options))
  }
  if (nameless.length > 0) {
    problems.push({
      relPath: file.path,
      line: nameless[0],
      kind: 'ignored',
      reason:
        `${nameless.length} rows have no image name (FERPlus leaves rows that are not faces unnamed; no image was generated ` +
        `for them), lines ${nameless.slice(0, 5).join(', ')}${nameless.length > 5 ? ', …' : ''}`
    })
  }
}

function voteRecord(
  relPath: string,
  split: Split | null,
  votes: number[],
  file: string,
  line: number,
  options: FormatOptions
): SampleRecord {
  const reading = labelFromVotes(votes, options.ferplusMode ?? 'majority')
  return {
    relPath,
    split,
    label: reading.label,
    source: {
      file,
      line,
      token: votes.join(','),
      ...(reading.excluded ? { excluded: reading.excluded } : {}),
      extras: { votes }
    }
  }
}

function rewriteVotes(line: string, label: Label | null): LineRewrite {
  const parsed = parseCsvLine(line)
  const old = parsed.ok ? parseVotes(parsed.fields) : null
  if (!parsed.ok || old === null || typeof old === 'string')
    return { unwritable: `the row ${JSON.stringify(line)} has no vote counts` }
  const votes = votesForLabel(old, label)
  if (votes === null) return { unwritable: `FERPlus has no class for ${label} (its classes: ${EMOTIONS.join(', ')})` }
  return { line: line.slice(0, parsed.fields[parsed.fields.length - VOTES].start) + votes.join(',') }
}

export const ferplus: DatasetFormat = {
  id: 'ferplus',
  name: 'FERPlus',
  description:
    'FER2013Train/Valid/Test with label.csv (or fer2013new.csv) holding ten annotator votes per image; ' +
    'majority (the benchmark protocol), probability or argmax.',
  completeOptions(options) {
    return { ...options, ferplusMode: options.ferplusMode ?? 'majority' }
  },
  read({ files, options }) {
    const records: SampleRecord[] = []
    const problems: FormatProblem[] = []
    for (const file of files) {
      if (isNewVoteFile(file.path)) readNewVotes(file, options, records, problems)
      else readLabelCsv(file, options, records, problems)
    }
    return { records, problems, classes: countFixedClasses(FERPLUS_CLASSES, records, classIdOf) }
  },
  ownsImage(relPath, options) {
    const files = options.labelFiles ?? []
    const folders = files.flatMap((f) => (isNewVoteFile(f) ? FERPLUS_SPLIT_FOLDERS.map((s) => `${dirOf(f)}${s}/`) : [dirOf(f)]))
    return folders.some((d) => relPath.startsWith(d) && !relPath.slice(d.length).includes('/'))
  },
  rewriteLine: (line, label) => rewriteVotes(line, label),
  // A relabelled row's votes are rewritten (see votesForLabel); the annotators' own ten go to the sidecar.
  originalColumns(line) {
    const parsed = parseCsvLine(line)
    const votes = parsed.ok ? parseVotes(parsed.fields) : null
    if (!parsed.ok || votes === null || typeof votes === 'string') return null
    const raw = parsed.fields.slice(-VOTES).map((f) => f.value.trim())
    return Object.fromEntries(FERPLUS_COLUMNS.map((c, i) => [`votes_${c}`, raw[i]]))
  },
  appendLine(relPath, label, { file, header }) {
    const votes = votesForLabel([], label)
    if (votes === null) return { unwritable: `FERPlus has no class for ${label}` }
    const name = relPath.slice(relPath.lastIndexOf('/') + 1)
    const folder = relPath.slice(0, relPath.length - name.length)
    if (isNewVoteFile(file)) {
      const usage = Object.keys(USAGE_FOLDER).find((u) => folder === `${dirOf(file)}${USAGE_FOLDER[u]}/`)
      if (!usage) return { unwritable: `${relPath} is not in a FER2013Train/Valid/Test folder beside ${file}` }
      return { line: `${usage},${name},${votes.join(',')}` }
    }
    if (folder !== dirOf(file)) return { unwritable: `${relPath} is not in the folder of ${file}` }
    // Use the face box the file already uses (FERPlus images are whole 48×48 faces).
    const first = parseCsvLine(header)
    const box =
      first.ok && first.fields.length === VOTES + 2
        ? header.slice(first.fields[1].start, first.fields[1].end)
        : '"(0, 0, 48, 48)"'
    return { line: `${name},${box},${votes.join(',')}` }
  }
}
