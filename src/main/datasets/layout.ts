// Moved to the shared format layer (ImageFolder is one format among several); re-exported for
// the callers that know it from here.
export { labelFromPath } from '@shared/formats/imagefolder'

export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.bmp', '.gif', '.webp', '.tif', '.tiff'])

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.')
  return dot <= 0 ? '' : name.slice(dot).toLowerCase()
}
