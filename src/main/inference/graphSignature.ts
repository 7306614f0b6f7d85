/**
 * What an ONNX graph file offers — its inputs and outputs, with names, types and shapes — read by
 * opening it in a real onnxruntime session, so a truncated, empty or foreign file is found when the
 * models are listed, not when a run starts. The verdict is remembered per file (size, modification
 * time, inode): the model list is asked for on every prediction view, and opening the shipped
 * generator takes about a third of a second.
 */
import { stat } from 'node:fs/promises'
import * as ort from 'onnxruntime-node'
import type { GraphSignature, TensorSignature } from '@shared/models'

export type GraphVerdict = { ok: true; signature: GraphSignature } | { ok: false; problem: string }

function tensors(meta: readonly ort.InferenceSession.ValueMetadata[]): TensorSignature[] {
  return meta.map((m) =>
    m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] }
  )
}

export function sessionSignature(session: ort.InferenceSession): GraphSignature {
  return { inputs: tensors(session.inputMetadata), outputs: tensors(session.outputMetadata) }
}

/**
 * Why a graph file could not be opened, in a researcher's words: onnxruntime's message without its
 * "Load model from <path> failed:" prefix and C++ source location, plus the likely cause when the
 * bytes are not an ONNX protobuf at all.
 */
export function graphLoadProblem(file: string, message: string): string {
  const reason = message
    .split('\n')[0]
    .replace(/^Load model from .*? failed:/, '')
    .replace(/^\S+\.(?:cc|cpp|h):\d+ .*?\) /, '')
    .trim()
  const hint = /protobuf parsing failed/i.test(reason) ? ' (truncated, or not an ONNX file)' : ''
  return `${file} cannot be opened as an ONNX graph${hint}: ${reason || 'unknown error'}`
}

async function openForSignature(path: string, file: string): Promise<GraphVerdict> {
  try {
    // Only the declared inputs and outputs are needed: skipping graph optimisation makes opening
    // the shipped generator several times faster, and one thread keeps the listing off the cores a
    // run may be using.
    const session = await ort.InferenceSession.create(path, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'disabled',
      intraOpNumThreads: 1,
      interOpNumThreads: 1
    })
    try {
      return { ok: true, signature: sessionSignature(session) }
    } finally {
      await session.release()
    }
  } catch (err) {
    return { ok: false, problem: graphLoadProblem(file, String((err as Error).message ?? err)) }
  }
}

/** Verdicts by absolute path; a promise, so concurrent listings open each graph once. */
const verdicts = new Map<string, { key: string; verdict: Promise<GraphVerdict> }>()

/** Opens the graph at `path` (named `file` in messages), or answers from the cache when it has not changed. */
export async function readGraphSignature(path: string, file: string): Promise<GraphVerdict> {
  let key: string
  try {
    const s = await stat(path)
    if (!s.isFile()) return { ok: false, problem: `${file} is not a file` }
    if (s.size === 0) return { ok: false, problem: `${file} is empty (0 bytes)` }
    key = `${s.size}:${s.mtimeMs}:${s.ino}`
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    return {
      ok: false,
      problem: code === 'ENOENT' ? `${file} is missing` : `${file} cannot be read (${code ?? (err as Error).message})`
    }
  }
  const cached = verdicts.get(path)
  if (cached?.key === key) return cached.verdict
  const verdict = openForSignature(path, file)
  verdicts.set(path, { key, verdict })
  return verdict
}
