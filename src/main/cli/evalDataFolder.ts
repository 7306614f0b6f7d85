import { join } from 'node:path'
import type { ApiHandlers } from '@shared/api'
import { closeContext, createContext, type AppContext } from '../api/context'
import { behindEdge } from '../api/edge'
import { createApiHandlers } from '../api/service'
import { userModels } from '../store/predictions'
import type { CliArgs } from './args'

/**
 * `pokerface eval` measures a model; it must never change what a researcher's open workspace shows.
 * In the workspace's own data folder it did (issue 16, item 5): its run re-ranked the dataset when
 * it finished (api/review.ts ranks after every run, possibly with another model), its scan bumped
 * the dataset in the recent list, and its run held the folder's lock against the Run button. So
 * eval works in a data folder of its own, `<data folder>/eval`: its own database, caches and lock.
 * It is kept between evals, so only the first eval of a dataset pays for the scan and the run.
 */
export const EVAL_DATA_FOLDER = 'eval'

export async function inEvalDataFolder<T>(
  workspace: AppContext,
  work: (ctx: AppContext, handlers: ApiHandlers) => Promise<T>
): Promise<T> {
  const ctx = createContext(join(workspace.dataDir, EVAL_DATA_FOLDER), workspace.version, {
    modelsDir: workspace.modelsDir,
    workersDir: workspace.workersDir
  })
  try {
    return await work(ctx, behindEdge(createApiHandlers(ctx)))
  } finally {
    await closeContext(ctx)
  }
}

/**
 * A model the researcher added to the workspace is known there by its id, but not in eval's own
 * data folder: such an id is passed on as the model's folder, which eval then adds and checks.
 */
export function withWorkspaceModels(workspace: AppContext, args: CliArgs): CliArgs {
  const folders = new Map(userModels(workspace.db).map((m) => [m.id, m.folder]))
  const folderOf = (model: string | null): string | null => (model !== null && folders.get(model)) || model
  return { ...args, model: folderOf(args.model), pairedWith: folderOf(args.pairedWith) }
}
