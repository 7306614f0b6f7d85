/** Dataset splits. Folder names from common FER layouts map onto these three. */
export const SPLITS = ['train', 'valid', 'test'] as const
export type Split = (typeof SPLITS)[number]

const EXACT: Record<string, Split> = {
  train: 'train',
  training: 'train',
  trainset: 'train',
  val: 'valid',
  valid: 'valid',
  validation: 'valid',
  publictest: 'valid', // FER2013's "PublicTest" is its validation split
  test: 'test',
  testing: 'test',
  testset: 'test',
  privatetest: 'test' // FER2013's "PrivateTest" is the test split
}

/**
 * Recognises a split folder name: exact names (train, val, Training, PublicTest…) and
 * dataset-prefixed ones such as FERPlus's FER2013Train / FER2013Valid / FER2013Test.
 */
export function splitFromFolderName(name: string): Split | null {
  const key = name.toLowerCase().replace(/[^a-z0-9]/g, '')
  if (EXACT[key]) return EXACT[key]
  const suffix = /(train|training|valid|val|validation|test|publictest|privatetest)$/.exec(key)
  // A prefix must end in a digit or separator so that e.g. "contest" is not a test split.
  if (suffix && /[0-9_\-\s]$/.test(name.slice(0, name.length - suffix[1].length))) {
    return EXACT[suffix[1]] ?? null
  }
  return null
}
