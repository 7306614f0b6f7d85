import { join } from 'node:path'
import { openDb, type Db, type OpenDbOptions } from '../store/db'
import { ThumbnailCache } from '../vision/images'
import { EventHub } from './events'
import type { InferenceJob } from '../inference/runner'
import { DuplicateSearches } from '../duplicates/searches'
import { stopUmapLayouts } from './umapLayouts'

/** Where the entry point (Electron main or the CLI) finds what ships beside the code. */
export interface AppPaths {
  /** Built-in models (resources/models; process.resourcesPath/models when packaged). */
  modelsDir: string
  /** The built worker threads (out/main: inferenceWorker.js, postProcessWorker.js, umapWorker.js). */
  workersDir: string
}

/** Everything the API implementation needs; built once per process by either entry point. */
export interface AppContext extends AppPaths {
  db: Db
  dataDir: string
  /** Generated images (poker faces, maps), keyed by model id and image content hash. */
  generatedDir: string
  events: EventHub
  thumbnails: ThumbnailCache
  version: string
  startupDatasetId: number | null
  /** Inference runs by dataset: the running one, or the last one. */
  jobs: Map<number, InferenceJob>
  /** The duplicate searches running behind opens, by dataset. */
  duplicateSearches: DuplicateSearches
}

/** Stops what runs behind the API (the duplicate searches, UMAP layouts) and closes the store. */
export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.duplicateSearches.stopAll()
  stopUmapLayouts(ctx)
  ctx.db.close()
}

export function createContext(
  dataDir: string,
  version: string,
  paths: Partial<AppPaths> = {},
  dbOptions: OpenDbOptions = {}
): AppContext {
  const db = openDb(join(dataDir, 'pokerface.sqlite'), dbOptions)
  const events = new EventHub()
  const duplicateSearches = new DuplicateSearches(db, {
    onProgress: (progress) => events.emit('scanProgress', progress),
    onEnd: (datasetId, root, end) => {
      const grouped = end.outcome === 'done' && end.grouped
      const message = end.outcome === 'failed' ? end.message : undefined
      if (message) console.error(`The duplicate search of ${root} failed: ${message}`)
      events.emit('duplicatesSearched', { datasetId, outcome: end.outcome, grouped, ...(message ? { message } : {}) })
    }
  })
  return {
    db,
    dataDir,
    generatedDir: join(dataDir, 'cache', 'generated'),
    events,
    duplicateSearches,
    thumbnails: new ThumbnailCache(join(dataDir, 'cache', 'thumbs')),
    version,
    startupDatasetId: null,
    jobs: new Map(),
    modelsDir: process.env.PF_MODELS_DIR ?? paths.modelsDir ?? join(process.cwd(), 'resources', 'models'),
    workersDir: paths.workersDir ?? join(process.cwd(), 'out', 'main')
  }
}
