/**
 * What a label may be: the one definition used wherever a label enters the app — `setLabel`
 * over either transport, and every label-file reader (a dataset's labels.csv is as untrusted as
 * a request). A label becomes a folder name in an ImageFolder export and a field in TSV/CSV
 * listings, so anything that could climb out of a folder or break a line is refused here, once.
 */

/**
 * Generous for a class name ("happily surprised", "AU12+AU6") yet far below what would bloat
 * every row, every event and every export (the attack round stored 500 kB labels). Counted in
 * UTF-16 units: 60 of them take at most 180 bytes of UTF-8, under the 255-byte file-name limit
 * of common file systems, so any valid label can be a class folder.
 */
export const MAX_LABEL_LENGTH = 60

// Control characters (tab, newline, NUL…) break TSV/CSV lines and file names; path separators
// and the dot names would make an ImageFolder export write outside its class folder.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u
const SEPARATOR = /[/\\]/

/** Why a label cannot be used, or null when it can. The reason is written for the researcher. */
export function labelProblem(label: string): string | null {
  if (label.trim() === '') return 'a label cannot be empty (use "no label" to remove one)'
  if (label !== label.trim()) return 'a label cannot start or end with spaces'
  if (label.length > MAX_LABEL_LENGTH)
    return `a label may hold up to ${MAX_LABEL_LENGTH} characters (this one has ${label.length})`
  if (CONTROL.test(label)) return 'a label cannot hold tabs, line breaks or other control characters'
  if (SEPARATOR.test(label)) return 'a label cannot hold "/" or "\\": it becomes a folder name in an ImageFolder export'
  if (label === '.' || label === '..') return `"${label}" cannot be a label: it names a folder, not a class`
  return null
}

/** A label as shown inside a message: short, with control characters visible, so a hostile one cannot forge lines. */
export function quoteLabel(label: string): string {
  const shown = label.length > 40 ? `${label.slice(0, 40)}…` : label
  return JSON.stringify(shown)
}
