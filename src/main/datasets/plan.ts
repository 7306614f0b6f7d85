import { placeInTree } from '@shared/formats/imagefolder'
import type { DatasetFormat, FormatOptions, FormatProblem, SampleRecord } from '@shared/formats/types'
import type { ScanProblem } from '@shared/types'
import type { FoundFile } from './walk'

/**
 * Joins what the label files say (records) with what is on disk (image files): which images
 * become samples and with what label, which listed images are missing, which are listed twice,
 * which images no label file mentions. Pure: the scan does the reading and the storing.
 */

export interface SamplePlan {
  /** Image files that become samples, each with what its label file says about it. */
  files: { file: FoundFile; record: SampleRecord }[]
  /** Samples without an image file (FER2013 rows). */
  virtual: SampleRecord[]
  problems: ScanProblem[]
}

/** Problems of one kind reported per file before the rest are summed up in one line. */
const MAX_PROBLEMS_PER_FILE = 200
/** Unlisted images named one by one per folder; more are summed up in one line. */
const MAX_UNLISTED_NAMED = 20

function folderOf(relPath: string, depth: number): string {
  const parts = relPath.split('/').slice(0, -1)
  return parts.length === 0 ? '.' : parts.slice(0, depth).join('/')
}

/** `files` sorted by path, as listImageFiles gives them; the plan's files keep that order. */
export function planSamples(
  records: SampleRecord[],
  files: FoundFile[],
  format: DatasetFormat,
  options: FormatOptions,
  readerProblems: FormatProblem[] = []
): SamplePlan {
  const problems: ScanProblem[] = [...readerProblems]
  const byPath = new Map<string, SampleRecord>()
  for (const record of records) {
    const first = byPath.get(record.relPath)
    if (!first) {
      byPath.set(record.relPath, record)
      continue
    }
    const where = first.source ? `${first.source.file} line ${first.source.line}` : 'its folder'
    problems.push({
      relPath: record.source?.file ?? record.relPath,
      ...(record.source ? { line: record.source.line } : {}),
      kind: 'error',
      reason: `${record.source ? `line ${record.source.line}: ` : ''}${record.relPath} is listed again (first at ${where}); the first entry is used, this one is kept in the file as it is`
    })
  }

  const onDisk = new Set(files.map((f) => f.relPath))
  const plan: SamplePlan = { files: [], virtual: [], problems }
  for (const record of byPath.values()) {
    if (record.pixels) plan.virtual.push(record)
    else if (!onDisk.has(record.relPath) && record.source) {
      problems.push({
        relPath: record.source.file,
        line: record.source.line,
        kind: 'error',
        reason: `line ${record.source.line}: image ${record.relPath} is not on disk`
      })
    }
  }

  const outside = new Map<string, number>()
  const unlisted = new Map<string, string[]>()
  // In the files' order, which is the samples' order (ids follow it, so the grid shows a sorted dataset).
  for (const file of files) {
    const record = byPath.get(file.relPath)
    if (record) {
      if (!record.pixels) plan.files.push({ file, record })
    } else if (format.ownsImage(file.relPath, options)) {
      // An image the label files do not mention is still shown, unlabelled, so the user sees it.
      plan.files.push({
        file,
        record: { relPath: file.relPath, split: placeInTree(file.relPath).split, label: null, source: null }
      })
      const folder = folderOf(file.relPath, Infinity)
      const named = unlisted.get(folder)
      if (named) named.push(file.relPath)
      else unlisted.set(folder, [file.relPath])
    } else {
      const folder = folderOf(file.relPath, 2)
      outside.set(folder, (outside.get(folder) ?? 0) + 1)
    }
  }
  const labelFiles = (options.labelFiles ?? []).join(', ')
  for (const [folder, paths] of unlisted) {
    if (paths.length <= MAX_UNLISTED_NAMED) {
      for (const relPath of paths)
        problems.push({ relPath, kind: 'ignored', reason: `not listed in ${labelFiles}: shown unlabelled` })
    } else {
      problems.push({
        relPath: folder,
        kind: 'ignored',
        reason: `${paths.length.toLocaleString('en')} images not listed in ${labelFiles} (${paths
          .slice(0, 3)
          .map((p) => p.slice(p.lastIndexOf('/') + 1))
          .join(', ')}, …): shown unlabelled`
      })
    }
  }
  for (const [folder, count] of outside) {
    problems.push({
      relPath: folder,
      kind: 'ignored',
      reason: `${count.toLocaleString('en')} image${count === 1 ? '' : 's'} not part of the ${format.name} dataset as opened (not opened)`
    })
  }
  problems.push(...summariseExclusions(records, problems))
  return { ...plan, problems: capProblems(problems) }
}

/**
 * One line per file and reason for samples the file lists without a label (FERPlus no majority,
 * AffectNet None…), so the count is visible next to the problems; each sample also carries its reason.
 */
function summariseExclusions(records: SampleRecord[], problems: ScanProblem[]): ScanProblem[] {
  const reported = new Set(problems.filter((p) => p.kind === 'error' && p.line).map((p) => `${p.relPath}\n${p.line}`))
  const groups = new Map<string, { file: string; reason: string; first: number; count: number }>()
  for (const r of records) {
    const s = r.source
    if (!s?.excluded || reported.has(`${s.file}\n${s.line}`)) continue
    const key = `${s.file}\n${s.excluded}`
    const group = groups.get(key)
    if (group) group.count++
    else groups.set(key, { file: s.file, reason: s.excluded, first: s.line, count: 1 })
  }
  return [...groups.values()].map((g) => ({
    relPath: g.file,
    line: g.first,
    kind: 'ignored' as const,
    reason: `${g.count.toLocaleString('en')} image${g.count === 1 ? '' : 's'} without a label: ${g.reason} (first at line ${g.first}); shown unlabelled`
  }))
}

/** Keeps the first problems of each file and kind, and says how many more there were. */
function capProblems(problems: ScanProblem[]): ScanProblem[] {
  const counts = new Map<string, number>()
  const kept: ScanProblem[] = []
  for (const p of problems) {
    const key = `${p.relPath}\n${p.kind}`
    const n = (counts.get(key) ?? 0) + 1
    counts.set(key, n)
    if (n <= MAX_PROBLEMS_PER_FILE) kept.push(p)
  }
  for (const [key, n] of counts) {
    if (n <= MAX_PROBLEMS_PER_FILE) continue
    const [relPath, kind] = key.split('\n') as [string, ScanProblem['kind']]
    kept.push({ relPath, kind, reason: `… and ${(n - MAX_PROBLEMS_PER_FILE).toLocaleString('en')} more like the above` })
  }
  return kept
}
