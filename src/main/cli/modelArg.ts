import { existsSync, statSync } from 'node:fs'
import type { ApiHandlers } from '@shared/api'
import { modelIdProblem } from '@shared/modelId'

/**
 * `--model` takes a model id, or a model folder that is checked against the contract and added
 * first. Returns the id to run (undefined = the default model), or the error to print.
 */
export async function resolveModelArg(handlers: ApiHandlers, model: string | null): Promise<{ id?: string; error?: string }> {
  if (!model) return {}
  if (!model.includes('\0') && existsSync(model) && statSync(model).isDirectory()) {
    try {
      return { id: (await handlers.addModel({ folder: model })).id }
    } catch (err) {
      return { error: (err as Error).message }
    }
  }
  // Not a folder, so it must be an id; saying which rule it breaks beats "no model with id …".
  const problem = modelIdProblem(model)
  if (problem)
    return { error: `--model ${JSON.stringify(model)} is neither a model folder nor a valid model id (a model id ${problem})` }
  return { id: model }
}
