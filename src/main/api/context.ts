import { join } from 'node:path'
import { openDb, type Db, type OpenDbOptions } from '../store/db'
import { ThumbnailCache } from '../vision/images'
import { EventHub } from './events'

/** Everything the API implementation needs; built once per process by either entry point. */
export interface AppContext {
  db: Db
  dataDir: string
  events: EventHub
  thumbnails: ThumbnailCache
  version: string
  startupDatasetId: number | null
}

export function createContext(dataDir: string, version: string, dbOptions: OpenDbOptions = {}): AppContext {
  return {
    db: openDb(join(dataDir, 'pokerface.sqlite'), dbOptions),
    dataDir,
    events: new EventHub(),
    thumbnails: new ThumbnailCache(join(dataDir, 'cache', 'thumbs')),
    version,
    startupDatasetId: null
  }
}
