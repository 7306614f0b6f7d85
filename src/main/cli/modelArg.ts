import { existsSync, statSync } from 'node:fs'
import type { ApiHandlers } from '@shared/api'

/**
 * `--model` takes a model id, or a model folder that is checked against the contract and added
 * first. Returns the id to run (undefined = the default model), or the error to print.
 */
export async function resolveModelArg(handlers: ApiHandlers, model: string | null): Promise<{ id?: string; error?: string }> {
  if (!model) return {}
  if (!existsSync(model) || !statSync(model).isDirectory()) return { id: model }
  try {
    return { id: (await handlers.addModel({ folder: model })).id }
  } catch (err) {
    return { error: (err as Error).message }
  }
}
