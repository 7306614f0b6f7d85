import { normaliseLabel, type Label } from '@shared/emotions'
import { splitFromFolderName, type Split } from '@shared/splits'

/**
 * What a file's place in the folder tree says about it (ImageFolder convention): a split
 * folder anywhere on the path gives the split; the nearest folder above the file that is not a
 * split folder gives the class. Files directly under the root or a split folder are unlabelled.
 * `relPath` uses '/' separators.
 */
export function labelFromPath(relPath: string): { split: Split | null; label: Label | null } {
  const folders = relPath.split('/').slice(0, -1)
  let split: Split | null = null
  let label: Label | null = null
  for (const folder of folders) {
    const s = splitFromFolderName(folder)
    if (s) split = s
    else label = normaliseLabel(folder)
  }
  return { split, label }
}

export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.bmp', '.gif', '.webp', '.tif', '.tiff'])

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.')
  return dot <= 0 ? '' : name.slice(dot).toLowerCase()
}
