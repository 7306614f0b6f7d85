import * as ort from 'onnxruntime-node'
import type { ModelInfo } from '@shared/inference'
import type { AppContext } from '../api/context'
import { loadModel, releaseModel } from '../inference/model'
import { generatedFaceRgb } from '../media/sheetLayout'
import { summarisePokerFaces, meanAbsDifference, type JudgedPokerFace, type PokerFaceCheck } from '../review/pokerFaceReport'
import { neutralReferenceRows, summariseNeutralReference, type NeutralReferenceRow } from './neutralReference'
import { peopleByFileName, peopleHow } from './people'
import { generatedSamples, sampleFaces, sheetRgb } from './evaluatedSamples'
import { cosine, EXPRESSION_JUDGE, IDENTITY_JUDGE, judgesMissing, loadJudges, toJudgeSize, type Judges } from './judges'
import {
  ALL_PAIRS_UP_TO,
  differenceMap,
  differentPeoplePairs,
  regionShares,
  samePersonThreshold,
  uniformShares,
  FACE_REGIONS
} from './pokerFaceMeasures'
import { resizeInto } from '../vision/fastPng'

const BATCH = 32
const DERIVED_HOW =
  `the identity cosine that 1 % of pairs of different people exceed; pairs: every pair of inputs up to ${ALL_PAIRS_UP_TO} faces, ` +
  'else inputs i and i + n/2 in path order; pairs of one person (as the real-neutral pairing reads people) left out'

/**
 * Checks the poker faces a run stored — the PNGs a researcher sees, not fresh tensors — against
 * their inputs, and classifies each poker face with the model's own classifier. Needs a finished
 * run with generation on the split.
 */
export async function checkPokerFaces(
  ctx: AppContext,
  datasetId: number,
  model: ModelInfo,
  split: string | null,
  options: {
    provider?: string
    threads?: number
    neutralReference?: boolean
    /** Judge "same person" by this cosine instead of one derived from this dataset's faces. */
    samePersonThreshold?: number | null
    /** Who is in each photo: this pattern's first group (or match) in the path, instead of people.ts's rules. */
    personPattern?: RegExp | null
  }
) {
  const loaded = await loadModel(model.folder, { generate: false, provider: options.provider as never, threads: options.threads })
  const { size, mean, std } = loaded.manifest.input
  const classIndex = new Map(model.classes.map((c, i) => [c, i]))
  const neutral = classIndex.get('neutral')
  if (neutral === undefined) throw new Error(`model ${model.id} has no "neutral" class, so poker faces cannot be checked`)
  const scale = std.map((sd) => 1 / (255 * sd))
  const shift = mean.map((m, c) => -m / std[c])
  const per = 3 * size * size
  const samples = generatedSamples(ctx, datasetId, model.id, split)
  const faceOf = sampleFaces(ctx, datasetId)
  const checks: PokerFaceCheck[] = []
  let missing = 0
  const judgesProblem = judgesMissing()
  const judges = judgesProblem ? null : await loadJudges(undefined, options.threads ?? 2)
  const personOf = peopleByFileName(
    samples.map((s) => s.relPath),
    options.personPattern
  )
  const judgedInputs: JudgedInputs = { identities: [], relPaths: [] }
  let realNeutral: NeutralReferenceRow[] | null = null
  try {
    for (let start = 0; start < samples.length; start += BATCH) {
      const batch = samples.slice(start, start + BATCH)
      const loadedFaces = await Promise.all(
        batch.map(async (s) => {
          const sheet = await sheetRgb(ctx, model.id, s.contentHash)
          return sheet ? { sample: s, sheet, face: await faceOf(s, size) } : null
        })
      )
      const ready = loadedFaces.filter((x) => x !== null)
      missing += batch.length - ready.length
      if (ready.length === 0) continue
      // Poker faces in the first half of the batch, their reconstructions (the control) in the second.
      const n = ready.length
      const tensor = new Float32Array(2 * n * per)
      const partial = ready.map(({ sample, sheet, face }, i) => {
        const poker = generatedFaceRgb(sheet, size, 'poker_face')
        const reconstruction = generatedFaceRgb(sheet, size, 'reconstruction')
        resizeInto({ width: size, height: size, channels: 3, data: poker }, size, tensor, i * per, scale, shift)
        resizeInto({ width: size, height: size, channels: 3, data: reconstruction }, size, tensor, (n + i) * per, scale, shift)
        return {
          label: sample.label === null ? null : (classIndex.get(sample.label) ?? null),
          pokerFaceToInput: meanAbsDifference(poker, face),
          reconstructionToInput: meanAbsDifference(reconstruction, face)
        }
      })
      const { logits } = await loaded.classify.run({ image: new ort.Tensor('float32', tensor, [2 * n, 3, size, size]) })
      const k = model.classes.length
      const values = logits.data as Float32Array
      const argmax = (row: number) => {
        const scores = Array.from(values.subarray(row * k, (row + 1) * k))
        return scores.indexOf(Math.max(...scores))
      }
      const judged = judges ? await judgeBatch(judges, ready, size, judgedInputs) : null
      partial.forEach((p, i) =>
        checks.push({
          ...p,
          pokerFaceClass: argmax(i),
          reconstructionClass: argmax(n + i),
          ...(judged ? { judged: judged[i] } : {})
        })
      )
    }
    if (options.neutralReference) realNeutral = await neutralReferenceRows(ctx, datasetId, model, samples, judges, personOf)
  } finally {
    await releaseModel(loaded)
    await judges?.release()
  }
  const differentPeople = differentPeoplePairs(judgedInputs.identities, cosine, judgedInputs.relPaths.map(personOf))
  const derived = samePersonThreshold(differentPeople)
  const given = options.samePersonThreshold ?? null
  const threshold = given ?? derived
  return {
    ...summarisePokerFaces(checks, neutral, threshold),
    images_without_generated_faces: missing,
    ...(realNeutral
      ? {
          real_neutral: {
            ...summariseNeutralReference(realNeutral, judges ? threshold : null),
            pairing: `each expressive face with the first neutral-labelled face of the same person; ${peopleHow(options.personPattern)}`
          }
        }
      : {}),
    judges: judges
      ? {
          expression: `${EXPRESSION_JUDGE} (face-api.js, ../shared/models; never used by training)`,
          identity: `${IDENTITY_JUDGE} (MobileFace V1, ../shared/models; never used by training)`,
          different_people_pairs: differentPeople.length,
          different_people_mean_cosine: differentPeople.length
            ? differentPeople.reduce((a, b) => a + b, 0) / differentPeople.length
            : null,
          same_person_threshold: threshold,
          same_person_threshold_how:
            given === null
              ? DERIVED_HOW
              : `given (--same-person-threshold), so that this set is judged by another set's bar; ${DERIVED_HOW} here: ${derived}`,
          face_regions: FACE_REGIONS,
          uniform_map_shares: uniformShares(size)
        }
      : { skipped: judgesProblem }
  }
}

/** Each judged input's identity embedding and its path (whose person people.ts reads), for the different-people pairs. */
interface JudgedInputs {
  identities: Float32Array[]
  relPaths: string[]
}

/** The judges' view of one batch: inputs, poker faces and reconstructions, at the judges' size. */
async function judgeBatch(
  judges: Judges,
  ready: { sample: { relPath: string }; sheet: Buffer; face: Uint8Array }[],
  size: number,
  judgedInputs: JudgedInputs
): Promise<JudgedPokerFace[]> {
  const inputs: Uint8Array[] = []
  const pokers: Uint8Array[] = []
  const reconstructions: Uint8Array[] = []
  const maps: JudgedPokerFace['emotionMap'][] = []
  for (const { sheet, face } of ready) {
    const poker = generatedFaceRgb(sheet, size, 'poker_face')
    inputs.push(await toJudgeSize(face, size))
    pokers.push(await toJudgeSize(poker, size))
    reconstructions.push(await toJudgeSize(generatedFaceRgb(sheet, size, 'reconstruction'), size))
    maps.push(regionShares(differenceMap(face, poker, size), size))
  }
  const all = [...inputs, ...pokers, ...reconstructions]
  const verdicts = await judges.expression(all)
  const ids = await judges.identity(all)
  const n = ready.length
  judgedInputs.identities.push(...ids.slice(0, n))
  judgedInputs.relPaths.push(...ready.map(({ sample }) => sample.relPath))
  return ready.map((_, i) => ({
    inputNeutral: verdicts[i].calledNeutral,
    pokerFaceNeutral: verdicts[n + i].calledNeutral,
    reconstructionNeutral: verdicts[2 * n + i].calledNeutral,
    pokerFaceIdentity: cosine(ids[i], ids[n + i]),
    reconstructionIdentity: cosine(ids[i], ids[2 * n + i]),
    emotionMap: maps[i]
  }))
}
