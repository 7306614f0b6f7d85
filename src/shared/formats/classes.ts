/**
 * Class mapping: each format numbers or names its classes its own way (RAF-DB's 1 is surprise,
 * FER2013's 0 is anger, AffectNet's 8 means "none"); everything maps onto the canonical
 * vocabulary, and the mapping is shown to the user next to the model's classes. A class the model
 * lacks (contempt for a 7-class model) stays a label of its own and is marked, never dropped.
 */
import { EMOTIONS, type Label } from '../emotions'
import type { ClassMappingEntry, SampleRecord, SourceClass } from './types'

/** A format's fixed class table: id as written → readable name → canonical label (null = "no label"). */
export type ClassTable = readonly (readonly [id: string, name: string, label: Label | null])[]

/** Counts how many records carry each class of a fixed table (by the record's token). */
export function countFixedClasses(
  table: ClassTable,
  records: SampleRecord[],
  tokenOf = (r: SampleRecord) => r.source?.token
): SourceClass[] {
  const counts = new Map<string, number>()
  for (const r of records) {
    const token = tokenOf(r)
    if (token !== undefined) counts.set(token, (counts.get(token) ?? 0) + 1)
  }
  return table.map(([id, name, label]) => ({ id, name, label, count: counts.get(id) ?? 0 }))
}

/** Classes as they occur in a dataset that names them itself (folder names, CSV label values). */
export function countObservedClasses(pairs: Iterable<{ id: string; label: Label | null }>): SourceClass[] {
  const byId = new Map<string, SourceClass>()
  for (const { id, label } of pairs) {
    const entry = byId.get(id)
    if (entry) entry.count++
    else byId.set(id, { id, name: id, label, count: 1 })
  }
  return [...byId.values()].sort((a, b) => rank(a.label) - rank(b.label) || a.id.localeCompare(b.id))
}

function rank(label: Label | null): number {
  const i = label === null ? -1 : (EMOTIONS as readonly string[]).indexOf(label)
  return i === -1 ? EMOTIONS.length : i
}

/** The source classes checked against the model's classes, with a note where they do not meet. */
export function mapToModel(classes: SourceClass[], modelClasses: readonly string[] = EMOTIONS): ClassMappingEntry[] {
  return classes.map((c) => {
    if (c.label === null) return { ...c, inModel: false, note: 'means "no label": these samples stay unlabelled' }
    const inModel = modelClasses.includes(c.label)
    return inModel
      ? { ...c, inModel }
      : { ...c, inModel, note: `the model has no ${c.label} class: kept as a label of its own, never predicted` }
  })
}

/** How a dataset spells each label (its most frequent id for that label), so changes are written alike. */
export function spellingsOf(classes: SourceClass[]): Map<Label, string> {
  const best = new Map<Label, SourceClass>()
  for (const c of classes) {
    if (c.label === null) continue
    const prior = best.get(c.label)
    if (!prior || c.count > prior.count) best.set(c.label, c)
  }
  return new Map([...best].map(([label, c]) => [label, c.id]))
}

/** The id a fixed table uses for a label, or null when the format has no such class. */
export function idForLabel(table: ClassTable, label: Label): string | null {
  return table.find(([, , l]) => l === label)?.[0] ?? null
}

/** "surprise, fear, …" — a format's classes for an error message. */
export function classList(table: ClassTable): string {
  return table
    .filter(([, , l]) => l !== null)
    .map(([id, , l]) => `${id} ${l}`)
    .join(', ')
}
