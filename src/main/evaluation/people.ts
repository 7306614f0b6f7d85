/**
 * Who is in a photo, from its path. Two checks need it: pairing each expressive photo with the same
 * person's real neutral photo (`eval --neutral-reference`), and leaving one person's two photos out of
 * the different-people pairs the same-person threshold comes from. Datasets name people every way:
 * Yale `subject07_happy.png`, RaFD `Rafd090_01_Caucasian_female_angry_frontal.jpg`, LFW-style
 * `Al_Gore_0002.jpg`, CK+ `S010_004_00000019.png`, a folder per person `subject07/happy.png`, and
 * FERPlus `fer0032220.png` (every face its own person). The rules below read those; names they cannot
 * read (KDEF `AF01ANS.JPG`, JAFFE `KA.AN1.39.tiff`) need `--person-pattern`, a regular expression
 * whose first group (or whole match) is the person.
 */

/** Words that name an expression in file names, not a person (lower case). */
const EXPRESSION_WORDS = new Set(
  (
    'neutral normal happy happiness smile smiling sad sadness surprise surprised anger angry mad ' +
    'disgust disgusted fear fearful afraid scared contempt contemptuous'
  ).split(' ')
)

/** A crop that `pokerface faces` made carries its photo's name and `__face1`. */
const CROP_SUFFIX = /__face\d+$/

function nameParts(relPath: string): { folder: string | null; tokens: string[] } {
  const segments = relPath.split('/')
  const stem = segments[segments.length - 1].replace(/\.[^.]+$/, '').replace(CROP_SUFFIX, '')
  return {
    folder: segments.length > 1 ? segments[segments.length - 2] : null,
    tokens: stem.split(/[_\-. ]+/).filter(Boolean)
  }
}

/**
 * The person a file name gives, or null where no rule reads one: the words before an expression word
 * (`subject07_happy` → `subject07`); the folder where the name is only the expression
 * (`subject07/happy.png` → `subject07`); the name without a trailing number (`Al_Gore_0002` → `Al_Gore`).
 */
export function personByRule(relPath: string): string | null {
  const { folder, tokens } = nameParts(relPath)
  const expression = tokens.findIndex((t) => EXPRESSION_WORDS.has(t.toLowerCase()))
  if (expression > 0) return tokens.slice(0, expression).join('_')
  if (expression === 0) return folder && !EXPRESSION_WORDS.has(folder.toLowerCase()) ? `${folder}/` : null
  if (tokens.length > 1 && /^\d+$/.test(tokens[tokens.length - 1])) return tokens.slice(0, -1).join('_')
  return null
}

/** More photos than this of one person, and over half the set, is a numbering rather than a person. */
const NO_ONE_HAS_MORE_PHOTOS = 20

/**
 * One person-of function for a whole set of paths. With a pattern, the pattern decides (a path it does
 * not match is its own person). Without, the rules above, unless they put more than half of the
 * photos, and more than NO_ONE_HAS_MORE_PHOTOS, under one name: that is a numbering
 * (`PrivateTest_10131363.jpg`, `img_0001.png`), not a person, and every photo is then its own person
 * (its path).
 */
export function peopleByFileName(relPaths: string[], pattern?: RegExp | null): (relPath: string) => string {
  if (pattern) {
    return (relPath) => {
      const m = pattern.exec(relPath)
      return m ? (m[1] ?? m[0]) : relPath
    }
  }
  // Each path read once: the pairing asks for a person several times per photo.
  const read = new Map(relPaths.map((p) => [p, personByRule(p)]))
  const counts = new Map<string, number>()
  for (const person of read.values()) if (person !== null) counts.set(person, (counts.get(person) ?? 0) + 1)
  const largest = Math.max(0, ...counts.values())
  const rulesHold = largest <= Math.max(NO_ONE_HAS_MORE_PHOTOS, relPaths.length / 2)
  return (relPath) => (rulesHold ? (read.has(relPath) ? read.get(relPath) : personByRule(relPath)) : null) ?? relPath
}

/** How the pairing was made, for the eval report. */
export function peopleHow(pattern?: RegExp | null): string {
  return pattern
    ? `the person is what --person-pattern ${pattern.source} matches in the path (its first group if it has one)`
    : 'the person is read from the file name: the words before an expression word (subject07_happy → subject07), the folder where the name is only an expression, or the name without a trailing number (Al_Gore_0002 → Al_Gore); a name none of these read, or a set where they would put over half the photos (and over 20) under one name, is its own person; --person-pattern REGEX says it otherwise'
}
