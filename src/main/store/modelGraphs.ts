/**
 * Which graphs a model's stored results came from. Results are keyed by image and model id, so a
 * model exported again under the same id — trained again, or given another generator — would
 * otherwise be shown, ranked and evaluated with its predecessor's predictions and poker faces
 * without a word (it happened to us in session 20's evaluation). A run records the graphs' hashes;
 * a later run with other graphs under that id discards the model's per-image results first, so
 * every image is computed again. The rankings those results made go too, in every dataset (a
 * dataset not run again shows none until it is), so no list of likely-wrong labels is the old
 * graphs' under the new graphs' name.
 */
import { nowIso, type Db } from './db'
import { forgetRankingsOf } from './review'

/** The per-image results a model leaves in a store, and what was derived from its embeddings. */
const PER_MODEL_TABLES = ['predictions', 'inference_errors', 'embeddings', 'neighbour_lists', 'embedding_maps']

/**
 * Records `sha256` as the graphs of `modelId`'s results. Where the store holds results of other
 * graphs under that id, they and the rankings made from them are deleted first; returns how many
 * predictions that was (0 when the graphs are the ones recorded, or when none were recorded: a store
 * from before this check, whose results are kept as they were).
 */
export function discardResultsOfOtherGraphs(db: Db, modelId: string, sha256: string): number {
  return db.transaction(() => {
    const held = db.prepare('SELECT sha256 FROM model_graphs WHERE model_id = ?').get(modelId) as { sha256: string } | undefined
    let discarded = 0
    if (held && held.sha256 !== sha256) {
      discarded = (db.prepare('SELECT COUNT(*) AS n FROM predictions WHERE model_id = ?').get(modelId) as { n: number }).n
      for (const table of PER_MODEL_TABLES) db.prepare(`DELETE FROM ${table} WHERE model_id = ?`).run(modelId)
      forgetRankingsOf(db, modelId)
    }
    db.prepare(
      `INSERT INTO model_graphs (model_id, sha256, recorded_at) VALUES (?, ?, ?)
       ON CONFLICT(model_id) DO UPDATE SET sha256 = excluded.sha256, recorded_at = excluded.recorded_at`
    ).run(modelId, sha256, nowIso())
    return discarded
  })()
}
