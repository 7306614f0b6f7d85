/**
 * The canonical emotion vocabulary. Order is the FERPlus class order (neutral first),
 * which is also the order of the 1–8 relabel keys and of the shipped model's classes.
 */
export const EMOTIONS = ['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear', 'contempt'] as const

export type Emotion = (typeof EMOTIONS)[number]

/** A label is a canonical emotion, or any other class name a dataset brings along. */
export type Label = string

/** Spellings used by FER datasets (folder names, CSV columns) → the canonical name. */
const ALIASES: Record<string, Emotion> = {
  neutral: 'neutral',
  neu: 'neutral',
  happy: 'happiness',
  happiness: 'happiness',
  hap: 'happiness',
  joy: 'happiness',
  surprise: 'surprise',
  surprised: 'surprise',
  sur: 'surprise',
  sad: 'sadness',
  sadness: 'sadness',
  angry: 'anger',
  anger: 'anger',
  ang: 'anger',
  disgust: 'disgust',
  disgusted: 'disgust',
  dis: 'disgust',
  fear: 'fear',
  fearful: 'fear',
  scared: 'fear',
  contempt: 'contempt'
}

/**
 * Maps a class name as found on disk to the canonical vocabulary. Names we do not know
 * stay as their own class (trimmed, case kept) so nothing a researcher named is lost.
 */
export function normaliseLabel(name: string): Label {
  const trimmed = name.trim()
  const key = trimmed.toLowerCase().replace(/[\s_-]+/g, '')
  return ALIASES[key] ?? trimmed
}

export function isEmotion(label: Label): label is Emotion {
  return (EMOTIONS as readonly string[]).includes(label)
}

/** Short display names for badges. */
export const EMOTION_SHORT: Record<Emotion, string> = {
  neutral: 'NEU',
  happiness: 'HAP',
  surprise: 'SUR',
  sadness: 'SAD',
  anger: 'ANG',
  disgust: 'DIS',
  fear: 'FEA',
  contempt: 'CON'
}

/**
 * The label a digit key sets: 1–8 are the canonical emotions in order. Returns null for
 * other keys.
 */
export function labelForDigit(key: string): Emotion | null {
  const n = Number.parseInt(key, 10)
  if (!Number.isInteger(n) || String(n) !== key || n < 1 || n > EMOTIONS.length) return null
  return EMOTIONS[n - 1]
}

/** Classes in display order: the canonical ones first, then others alphabetically. */
export function sortLabels(labels: Iterable<Label>): Label[] {
  const unique = [...new Set(labels)]
  const rank = (l: Label): number => {
    const i = (EMOTIONS as readonly string[]).indexOf(l)
    return i === -1 ? EMOTIONS.length : i
  }
  return unique.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
}
