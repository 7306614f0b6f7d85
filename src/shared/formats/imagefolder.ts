/**
 * ImageFolder (torchvision's convention): `<split>/<class>/<image>`. There is no label file: the
 * folder an image sits in is its label, so "exporting in the source format" means saying where
 * each image must move — a listing a two-line script (or `imagefolderMoves` below) applies.
 */
import { normaliseLabel, type Label } from '../emotions'
import { ApiError } from '../api'
import { labelProblem, quoteLabel } from '../labels'
import { splitFromFolderName, type Split } from '../splits'
import { countObservedClasses } from './classes'
import type { DatasetFormat, FormatProblem, SampleRecord } from './types'

/**
 * What a file's place in the folder tree says about it: a split folder anywhere on the path gives
 * the split; the nearest folder above the file that is not a split folder gives the class. Files
 * directly under the root or a split folder are unlabelled. `relPath` uses '/' separators.
 * A class folder whose name cannot be a label (a tab or line break in it, a 200-character name)
 * leaves the file unlabelled and says why in `labelRefused`.
 */
export function placeInTree(relPath: string): {
  split: Split | null
  label: Label | null
  classFolder: string | null
  labelRefused?: string
} {
  const folders = relPath.split('/').slice(0, -1)
  let split: Split | null = null
  let classFolder: string | null = null
  for (const folder of folders) {
    const s = splitFromFolderName(folder)
    if (s) split = s
    else classFolder = folder
  }
  if (classFolder === null) return { split, label: null, classFolder }
  const label = normaliseLabel(classFolder)
  const refused = labelProblem(label)
  return refused ? { split, label: null, classFolder, labelRefused: refused } : { split, label, classFolder }
}

export function labelFromPath(relPath: string): { split: Split | null; label: Label | null } {
  const { split, label } = placeInTree(relPath)
  return { split, label }
}

export const imageFolder: DatasetFormat = {
  id: 'imagefolder',
  name: 'ImageFolder',
  description: 'Class folders (happy/, train/anger/…) give labels; split folders (train, val, test, FER2013Train…) give splits.',
  read({ images }) {
    const records: SampleRecord[] = []
    const problems: FormatProblem[] = []
    const observed: { id: string; label: Label | null }[] = []
    for (const relPath of [...images].sort()) {
      const { split, label, classFolder, labelRefused } = placeInTree(relPath)
      records.push({ relPath, split, label, source: null })
      if (labelRefused) {
        // The image still loads (unlabelled): only its folder's name is unusable as a class.
        problems.push({
          relPath,
          kind: 'error',
          reason: `class folder ${quoteLabel(classFolder ?? '')} cannot be a label (${labelRefused}); the image is unlabelled`
        })
      } else if (classFolder !== null) observed.push({ id: classFolder, label })
    }
    return { records, problems, classes: countObservedClasses(observed) }
  },
  ownsImage: () => true
}

/** Marks a folder of images whose label was removed: torchvision's ImageFolder only reads class folders. */
export const UNLABELLED_FOLDER = '_unlabelled'

/**
 * Where each image goes in the cleaned tree: unchanged images stay where they are; a relabelled
 * image moves to the class folder of its new label, spelled as the dataset already spells it
 * (`happy/`, not `happiness/`, if that is what the folders are called); an image whose label was
 * removed moves to `_unlabelled/` in the same place.
 */
export function imageFolderTarget(relPath: string, newLabel: Label | null, spellings: ReadonlyMap<Label, string>): string {
  const parts = relPath.split('/')
  const file = parts.pop() as string
  const folder = newLabel === null ? UNLABELLED_FOLDER : (spellings.get(newLabel) ?? newLabel)
  // Labels are checked where they enter; a database from before that check may still hold one
  // that would climb out of its class folder or break the TSV line, so it is refused here too.
  const refused = labelProblem(folder)
  if (refused)
    throw new ApiError(
      'bad_request',
      `Cannot move ${relPath} to class folder ${quoteLabel(folder)}: ${refused}. Relabel it first.`
    )
  let classAt = -1
  parts.forEach((p, i) => {
    if (!splitFromFolderName(p)) classAt = i
  })
  if (classAt === -1) parts.push(folder)
  else parts[classAt] = folder
  return [...parts, file].join('/')
}

export interface ImageFolderMove {
  relPath: string
  originalLabel: Label | null
  currentLabel: Label | null
}

/**
 * Where every image lands in the dataset's own tree after the review: unchanged images at their
 * own place (so `angry/` stays `angry/`), relabelled ones in the class folder of their new label.
 * Two images never share a target: a clash gets a numeric suffix. The moves listing below and
 * the cleaned ImageFolder tree (src/main/datasets/exportTree.ts) both lay images out by this.
 */
export function imageFolderPlaces<T extends ImageFolderMove>(
  samples: readonly T[],
  spellings: ReadonlyMap<Label, string>
): { sample: T; target: string }[] {
  const used = new Set(samples.filter((s) => s.originalLabel === s.currentLabel).map((s) => s.relPath))
  return samples.map((s) => {
    if (s.originalLabel === s.currentLabel) return { sample: s, target: s.relPath }
    const wanted = imageFolderTarget(s.relPath, s.currentLabel, spellings)
    let target = wanted
    const dot = wanted.lastIndexOf('.')
    for (let n = 2; used.has(target); n++)
      target = dot > wanted.lastIndexOf('/') ? `${wanted.slice(0, dot)}-${n}${wanted.slice(dot)}` : `${wanted}-${n}`
    used.add(target)
    return { sample: s, target }
  })
}

/**
 * `source_path<TAB>target_path` for every image; an unchanged dataset lists every image at its
 * own place.
 */
export function imageFolderMoves(samples: ImageFolderMove[], spellings: ReadonlyMap<Label, string>): string {
  const lines = ['source_path\ttarget_path']
  for (const { sample, target } of imageFolderPlaces(samples, spellings)) lines.push(`${sample.relPath}\t${target}`)
  return lines.join('\n') + '\n'
}
