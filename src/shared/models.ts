/**
 * The model contract (ARCHITECTURE.md): what a model folder must hold for the app to run it.
 * Pure checks over plain data, so every mismatch can be listed before a run starts.
 */
import { modelIdProblem } from './modelId'

export interface ModelManifest {
  id: string
  name: string
  version: string
  /** Output order of `logits`. */
  classes: string[]
  input: {
    size: number
    channels: 3
    mean: [number, number, number]
    std: [number, number, number]
    layout: 'NCHW'
    /**
     * The model learnt from grey faces only (FER2013's): colour faces are turned into grey (Rec. 601
     * luma, as PIL's convert('L')) before being repeated over the three channels, so colour
     * datasets are read the way the model was taught. Absent: colour is kept.
     */
    grayscale?: boolean
  }
  files: { classify: string; generate: string | null }
  training?: unknown
  metrics?: unknown
  licence?: unknown
}

/** What onnxruntime says about a graph's inputs or outputs. */
export interface TensorSignature {
  name: string
  type: string
  /** Numbers are fixed sizes; strings are symbolic (dynamic) dimensions such as the batch. */
  shape: (number | string)[]
}

export const CLASSIFY_OUTPUTS = ['logits', 'emotion_mask', 'attention'] as const
/**
 * Optional output of classify.onnx (issue 17): [N,D], the vector the classifier head reads ([CLS]
 * after the final norm; training/pfvit/graphs.py). Graphs without it still run; nearest neighbours,
 * the neighbour label signal and the embedding map need it.
 */
export const EMBEDDING_OUTPUT = 'embedding'
export const GENERATE_OUTPUTS = ['reconstruction', 'poker_face', 'emotion_component'] as const
export type GeneratedImageKind = (typeof GENERATE_OUTPUTS)[number]
/** Images the app derives from the model's outputs, besides the generated faces. */
export type OverlayKind = 'emotion_map' | 'attention'
export type ModelImageKind = GeneratedImageKind | OverlayKind
export const MODEL_IMAGE_KINDS: readonly ModelImageKind[] = [...GENERATE_OUTPUTS, 'emotion_map', 'attention']

const isNumberTriple = (v: unknown): v is [number, number, number] =>
  Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x))

/** Validates model.json. Returns every problem found, not just the first. */
export function parseManifest(json: unknown): { manifest: ModelManifest | null; problems: string[] } {
  const problems: string[] = []
  const m = json as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
  if (!m || typeof m !== 'object' || Array.isArray(m)) return { manifest: null, problems: ['model.json is not a JSON object'] }
  for (const key of ['id', 'name', 'version'] as const) {
    if (typeof m[key] !== 'string' || m[key].trim() === '') problems.push(`model.json: "${key}" must be a non-empty string`)
  }
  const idProblem = typeof m.id === 'string' && m.id.trim() !== '' ? modelIdProblem(m.id) : null
  if (idProblem) problems.push(`model.json: "id" ${idProblem}`)
  if (!Array.isArray(m.classes) || m.classes.length < 2 || !m.classes.every((c: unknown) => typeof c === 'string' && c)) {
    problems.push('model.json: "classes" must list at least two class names')
  } else if (new Set(m.classes).size !== m.classes.length) problems.push('model.json: "classes" has duplicates')
  const input = m.input ?? {}
  if (!Number.isInteger(input.size) || input.size < 8) problems.push('model.json: "input.size" must be an integer ≥ 8')
  if (input.channels !== 3) problems.push(`model.json: "input.channels" must be 3 (found ${JSON.stringify(input.channels)})`)
  if (!isNumberTriple(input.mean)) problems.push('model.json: "input.mean" must be three numbers')
  if (!isNumberTriple(input.std) || input.std.some((s: number) => s <= 0))
    problems.push('model.json: "input.std" must be three positive numbers')
  if (input.layout !== undefined && input.layout !== 'NCHW')
    problems.push(`model.json: "input.layout" must be "NCHW" (found ${JSON.stringify(input.layout)})`)
  if (input.grayscale !== undefined && typeof input.grayscale !== 'boolean')
    problems.push(`model.json: "input.grayscale" must be true or false (found ${JSON.stringify(input.grayscale)})`)
  const files = m.files ?? {}
  if (typeof files.classify !== 'string' || !files.classify)
    problems.push('model.json: "files.classify" must name the classifier ONNX file')
  if (files.generate !== undefined && files.generate !== null && typeof files.generate !== 'string') {
    problems.push('model.json: "files.generate" must name the generator ONNX file, or be null')
  }
  if (problems.length) return { manifest: null, problems }
  return {
    manifest: {
      id: m.id,
      name: m.name,
      version: m.version,
      classes: m.classes,
      input: {
        size: input.size,
        channels: 3,
        mean: input.mean,
        std: input.std,
        layout: 'NCHW',
        ...(input.grayscale ? { grayscale: true } : {})
      },
      files: { classify: files.classify, generate: files.generate ?? null },
      training: m.training,
      metrics: m.metrics,
      licence: m.licence
    },
    problems
  }
}

function describeShape(shape: (number | string)[]): string {
  return `[${shape.join(',')}]`
}

/** A dimension matches when it equals the expected size, or is dynamic where a batch is expected. */
function checkShape(where: string, actual: (number | string)[], expected: (number | 'N' | '?')[], problems: string[]): void {
  const ok =
    actual.length === expected.length &&
    expected.every((e, i) =>
      e === 'N' ? true : e === '?' ? typeof actual[i] === 'number' || typeof actual[i] === 'string' : actual[i] === e
    )
  if (!ok) problems.push(`${where}: shape ${describeShape(actual)}, expected ${describeShape(expected)}`)
}

function checkIo(
  file: string,
  inputs: TensorSignature[],
  outputs: TensorSignature[],
  expectedOutputs: Record<string, (number | 'N' | '?')[]>,
  size: number,
  problems: string[]
): void {
  const image = inputs.find((i) => i.name === 'image')
  if (!image) problems.push(`${file}: no input named "image" (inputs: ${inputs.map((i) => i.name).join(', ') || 'none'})`)
  else {
    if (image.type !== 'float32') problems.push(`${file}: input "image" is ${image.type}, expected float32`)
    checkShape(`${file}: input "image"`, image.shape, ['N', 3, size, size], problems)
  }
  if (inputs.length > 1)
    problems.push(
      `${file}: unexpected extra inputs ${inputs
        .filter((i) => i.name !== 'image')
        .map((i) => i.name)
        .join(', ')}`
    )
  for (const [name, shape] of Object.entries(expectedOutputs)) {
    const out = outputs.find((o) => o.name === name)
    if (!out) {
      problems.push(`${file}: missing output "${name}" (outputs: ${outputs.map((o) => o.name).join(', ') || 'none'})`)
      continue
    }
    if (out.type !== 'float32') problems.push(`${file}: output "${name}" is ${out.type}, expected float32`)
    checkShape(`${file}: output "${name}"`, out.shape, shape, problems)
  }
}

/** Checks the classifier graph against the manifest: names, types, shapes and class count. */
export function checkClassifyGraph(manifest: ModelManifest, inputs: TensorSignature[], outputs: TensorSignature[]): string[] {
  const problems: string[] = []
  const file = manifest.files.classify
  checkIo(
    file,
    inputs,
    outputs,
    { logits: ['N', manifest.classes.length], emotion_mask: ['N', '?'], attention: ['N', '?', '?'] },
    manifest.input.size,
    problems
  )
  const attention = outputs.find((o) => o.name === 'attention')
  if (attention && attention.shape.length === 3 && attention.shape[1] !== attention.shape[2]) {
    problems.push(`${file}: output "attention" must be a square patch grid, got ${describeShape(attention.shape)}`)
  }
  const logits = outputs.find((o) => o.name === 'logits')
  if (logits && typeof logits.shape[1] === 'number' && logits.shape[1] !== manifest.classes.length) {
    problems.push(`${file}: the model has ${logits.shape[1]} classes but model.json lists ${manifest.classes.length}`)
  }
  problems.push(...embeddingProblems(file, outputs))
  return [...new Set(problems)]
}

/**
 * The optional `embedding` output: absent is fine; present, it must be float32 [N,D] with a fixed
 * D ≥ 2, since stored vectors of one model are compared with each other.
 */
function embeddingProblems(file: string, outputs: TensorSignature[]): string[] {
  const out = outputs.find((o) => o.name === EMBEDDING_OUTPUT)
  if (!out) return []
  const problems: string[] = []
  const why = '(the optional embedding must be float32 [N,D] with a fixed width D, or be left out)'
  if (out.type !== 'float32') problems.push(`${file}: output "embedding" is ${out.type} ${why}`)
  const [, width] = out.shape
  if (out.shape.length !== 2 || typeof width !== 'number' || width < 2)
    problems.push(`${file}: output "embedding" has shape ${describeShape(out.shape)} ${why}`)
  return problems
}

/** The width D of the classifier's optional embedding output, or null when the graph has none. */
export function embeddingWidth(classify: GraphSignature): number | null {
  const out = classify.outputs.find((o) => o.name === EMBEDDING_OUTPUT)
  return out && out.shape.length === 2 && typeof out.shape[1] === 'number' ? out.shape[1] : null
}

export function checkGenerateGraph(manifest: ModelManifest, inputs: TensorSignature[], outputs: TensorSignature[]): string[] {
  const problems: string[] = []
  const s = manifest.input.size
  const expected = Object.fromEntries(GENERATE_OUTPUTS.map((name) => [name, ['N', 3, s, s] as (number | 'N')[]]))
  checkIo(manifest.files.generate ?? 'generate.onnx', inputs, outputs, expected, s, problems)
  return problems
}

/** A graph's inputs and outputs as onnxruntime reports them. */
export interface GraphSignature {
  inputs: TensorSignature[]
  outputs: TensorSignature[]
}

const hasOutputs = (graph: GraphSignature, names: readonly string[]): boolean =>
  names.every((name) => graph.outputs.some((o) => o.name === name))

/**
 * Checks both graphs of a model folder against its manifest; `generate` is null when model.json
 * names no generator. Exchanged files are the likeliest cause when each graph carries the other's
 * outputs, so that is said first, before the per-output details it explains.
 */
export function checkGraphs(manifest: ModelManifest, classify: GraphSignature, generate: GraphSignature | null): string[] {
  const problems = checkClassifyGraph(manifest, classify.inputs, classify.outputs)
  if (generate) problems.push(...checkGenerateGraph(manifest, generate.inputs, generate.outputs))
  if (generate && hasOutputs(classify, GENERATE_OUTPUTS) && hasOutputs(generate, CLASSIFY_OUTPUTS)) {
    const c = manifest.files.classify
    const g = manifest.files.generate
    problems.unshift(`${c} and ${g} look swapped: ${c} has the generator's outputs and ${g} the classifier's`)
  }
  return problems
}

/** Softmax, numerically stable. */
export function softmax(logits: ArrayLike<number>): number[] {
  let max = -Infinity
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i])
  const exps = Array.from(logits, (v) => Math.exp(v - max))
  const sum = exps.reduce((a, b) => a + b, 0)
  return exps.map((e) => e / sum)
}

/**
 * One line about a model's measured accuracy from its card (`metrics` in model.json, as
 * `pokerface eval --out` or training/evaluate.py writes it), or null when the card has none.
 */
export function cardAccuracyLine(metrics: unknown): string | null {
  const m = metrics as { accuracy?: unknown; samples?: unknown; data?: unknown } | null | undefined
  if (!m || typeof m.accuracy !== 'number' || !Number.isFinite(m.accuracy)) return null
  const where = typeof m.data === 'string' && /FER2013Test|ferplus.*test/i.test(m.data) ? 'FERPlus test' : 'its test set'
  const faces = typeof m.samples === 'number' ? ` (${m.samples.toLocaleString('en')} faces)` : ''
  return `${(100 * m.accuracy).toFixed(1)} % accuracy on ${where}${faces}, from its model card`
}

/**
 * What a model's card says about its poker faces (`metrics.poker_face_check` in model.json, from
 * `npm run bench:pokerface`), in one line for the compare view. "Separated" means the poker-face
 * issue's targets: an independent judge calls the poker faces of expressive faces neutral at least
 * 90 % as often as real neutral faces, and at least 95 % of them keep the person's identity. Short
 * of that, the view says so beside the poker face instead of presenting it as a neutral face, and how
 * to read it, which depends on the card's `generator` ('composition' repaints regions of the input;
 * otherwise the face is regenerated whole).
 */
export interface PokerFaceVerdict {
  /** null: the card has no measurement. */
  separated: boolean | null
  line: string
}

const pct = (x: number): string => `${(100 * x).toFixed(0)} %`

export function pokerFaceVerdict(metrics: unknown): PokerFaceVerdict {
  const check = (metrics as { poker_face_check?: Record<string, unknown> } | null | undefined)?.poker_face_check
  const poker = check?.judge_neutral_poker_faces_expressive
  const real = check?.judge_neutral_real_neutral
  const identity = check?.same_person_poker_faces_expressive
  if (typeof poker !== 'number' || typeof real !== 'number' || typeof identity !== 'number')
    return {
      separated: null,
      line: 'Not measured: this model’s card has no poker-face check (npm run bench:pokerface), so treat its poker face as unverified.'
    }
  const separated = poker >= 0.9 * real && identity >= 0.95
  // A composing generator (poker face = the input, repainted where its keep mask lets go) is not a
  // reconstruction: what it changed is exactly what the emotion map shows.
  const reading =
    check?.generator === 'composition'
      ? 'Read the poker face as the input with the emotion map’s regions repainted, not as this person’s neutral face.'
      : 'Read the poker face as a reconstruction, not as this person’s neutral face.'
  // How often a person's real neutral photo passes the same identity bar against their expressive
  // one (Yale faces, where cards record it): the identity network is strict across expressions.
  const realIdentity = check?.yale_same_person_real_neutral_to_input
  const figures =
    `an independent judge calls ${pct(poker)} of its poker faces of expressive faces neutral (real neutral faces: ${pct(real)}), ` +
    `and ${pct(identity)} keep the person’s identity` +
    (typeof realIdentity === 'number' ? ` (a real neutral photo of the same person: ${pct(realIdentity)})` : '')
  return separated
    ? { separated, line: `Separation measured: ${figures}.` }
    : {
        separated,
        line: `Separation not achieved by this model: ${figures}. ${reading}`
      }
}
