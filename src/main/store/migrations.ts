/** SQL for a trigger: one more write in ranking_input_writes for `scope` (an SQL expression). */
function countWrite(scope: string): string {
  return `INSERT INTO ranking_input_writes VALUES (${scope}, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;`
}

/**
 * Versioned schema. Each entry runs once, in order, inside a transaction; PRAGMA user_version
 * records how far a database has come. Never edit a shipped migration: add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: datasets, samples, labels as events, flags, scan problems
  `
  CREATE TABLE datasets (
    id INTEGER PRIMARY KEY,
    root TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    opened_at TEXT NOT NULL
  );

  CREATE TABLE samples (
    id INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    rel_path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ms INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    split TEXT,
    original_label TEXT,
    current_label TEXT,
    -- 'present' while the file is on disk; 'missing' after a rescan no longer finds it.
    -- Missing samples keep their labels and history so nothing a researcher did is lost.
    status TEXT NOT NULL DEFAULT 'present' CHECK (status IN ('present', 'missing')),
    UNIQUE (dataset_id, rel_path)
  );
  CREATE INDEX samples_by_current ON samples(dataset_id, status, current_label);
  CREATE INDEX samples_by_original ON samples(dataset_id, status, original_label);
  CREATE INDEX samples_by_split ON samples(dataset_id, status, split);
  CREATE INDEX samples_by_hash ON samples(content_hash);

  -- One user action (a keypress that labels a selection) is one batch: undo and redo
  -- work on batches. state: done → undone → done …; a new action discards undone batches.
  CREATE TABLE label_batches (
    id INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('done', 'undone', 'discarded'))
  );
  CREATE INDEX label_batches_by_dataset ON label_batches(dataset_id, state, id);

  CREATE TABLE label_events (
    id INTEGER PRIMARY KEY,
    sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
    batch_id INTEGER REFERENCES label_batches(id) ON DELETE SET NULL,
    old_label TEXT,
    new_label TEXT,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX label_events_by_sample ON label_events(sample_id, id);
  CREATE INDEX label_events_by_batch ON label_events(batch_id);

  CREATE TABLE flags (
    sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
    flag TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (sample_id, flag)
  );

  CREATE TABLE scan_problems (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    rel_path TEXT NOT NULL,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (dataset_id, rel_path)
  );
  `,

  // 2: models and predictions. Results are keyed by (image content hash, model id), so a re-run,
  // a renamed file or a second dataset holding the same image never computes it twice.
  `
  CREATE TABLE models (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    folder TEXT NOT NULL,
    classes TEXT NOT NULL, -- JSON array, the order of the model's outputs
    source TEXT NOT NULL CHECK (source IN ('builtin', 'user')),
    added_at TEXT NOT NULL
  );

  CREATE TABLE predictions (
    content_hash TEXT NOT NULL,
    model_id TEXT NOT NULL,
    probabilities TEXT NOT NULL, -- JSON array of softmax probabilities in the model's class order
    predicted_label TEXT NOT NULL,
    confidence REAL NOT NULL,
    -- JSON [g][g]: the [CLS] attention rollout over the patch grid (drawn as an overlay on demand)
    attention TEXT,
    -- 1 when the poker face, reconstruction and emotion component are in the image cache
    generated INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    PRIMARY KEY (content_hash, model_id)
  );
  CREATE INDEX predictions_by_model ON predictions(model_id, predicted_label);

  -- Images the model could not read (corrupt, too large…): recorded so a run goes on and says why.
  CREATE TABLE inference_errors (
    content_hash TEXT NOT NULL,
    model_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (content_hash, model_id)
  );
  `,
  // 3: dataset formats (issue 7): how each dataset was read, its label files as read (so an
  // export can give back byte-identical files), where each sample's label came from, and problems
  // located by line as well as by file.
  `
  ALTER TABLE datasets ADD COLUMN format TEXT;
  -- FormatOptions as JSON, complete (every default filled in), so a reopen reads the same way.
  ALTER TABLE datasets ADD COLUMN format_options TEXT;
  -- 'detection' or 'user': a format chosen by hand sticks across reopens.
  ALTER TABLE datasets ADD COLUMN format_chosen_by TEXT;
  -- JSON: what detection proposed, and the source classes with their counts (the class mapping).
  ALTER TABLE datasets ADD COLUMN format_info TEXT;

  CREATE TABLE label_files (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    rel_path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ms INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    -- gzip of the exact bytes, so a source-format export needs only the database. NULL above the
    -- keep limit (FER2013's 290 MB CSV): an export then re-reads the file and checks sha256.
    content BLOB,
    read_at TEXT NOT NULL,
    PRIMARY KEY (dataset_id, rel_path)
  );

  -- Where a sample's label was read: file, line, the label as written, why it has none.
  CREATE TABLE sample_sources (
    sample_id INTEGER PRIMARY KEY REFERENCES samples(id) ON DELETE CASCADE,
    label_file TEXT NOT NULL,
    line INTEGER NOT NULL,
    token TEXT NOT NULL,
    excluded TEXT,
    -- JSON: FERPlus votes, AffectNet face box, valence and arousal.
    extras TEXT,
    -- Samples without an image file (FER2013 rows): 8-bit greyscale pixels.
    pixels BLOB,
    width INTEGER,
    height INTEGER
  );

  CREATE TABLE scan_problems_v2 (
    id INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    rel_path TEXT NOT NULL,
    line INTEGER,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL
  );
  INSERT INTO scan_problems_v2 (dataset_id, rel_path, kind, reason)
    SELECT dataset_id, rel_path, kind, reason FROM scan_problems;
  DROP TABLE scan_problems;
  ALTER TABLE scan_problems_v2 RENAME TO scan_problems;
  CREATE INDEX scan_problems_by_dataset ON scan_problems(dataset_id, kind, rel_path, line);
  `,
  // 4: the review workspace (issue 6): each sample's label-issue scores from the dataset's latest
  // ranking, the ranking itself, notes, and the expression intensity PF-ViT's generator gives an image.
  `
  -- Mean |face - poker face| in pixel units (0..1); NULL where no poker face was generated.
  ALTER TABLE predictions ADD COLUMN emotion_intensity REAL;

  -- One ranking per dataset: the model it used and the confident-learning thresholds it found.
  CREATE TABLE review_rankings (
    dataset_id INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
    model_id TEXT NOT NULL,
    summary TEXT NOT NULL, -- JSON RankingSummary
    ranked_at TEXT NOT NULL
  );

  -- A row per sample with a prediction by the ranking's model. Scores are NULL where the label
  -- cannot be judged (unlabelled, or a class the model lacks). dataset_id is repeated here so
  -- that sorting and filtering a 35k-sample dataset by any score is an index range, not a scan.
  CREATE TABLE review_scores (
    sample_id INTEGER PRIMARY KEY REFERENCES samples(id) ON DELETE CASCADE,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    model_id TEXT NOT NULL,
    given_label TEXT,
    predicted_label TEXT NOT NULL,
    self_confidence REAL,
    margin REAL,
    confident_label TEXT,
    suggested_label TEXT,
    flagged INTEGER NOT NULL DEFAULT 0,
    intensity REAL,
    intensity_mismatch REAL,
    score REAL,
    out_of_sample INTEGER -- 1 out-of-sample, 0 the model trained on it, NULL unknown
  );
  CREATE INDEX review_scores_by_score ON review_scores(dataset_id, score);
  CREATE INDEX review_scores_by_self_confidence ON review_scores(dataset_id, self_confidence);
  CREATE INDEX review_scores_by_margin ON review_scores(dataset_id, margin);
  CREATE INDEX review_scores_by_mismatch ON review_scores(dataset_id, intensity_mismatch);
  CREATE INDEX review_scores_by_predicted ON review_scores(dataset_id, predicted_label);
  CREATE INDEX review_scores_flagged ON review_scores(dataset_id, flagged, score);

  -- Filtering the grid by a review flag (keep, not_a_face, ambiguous, exclude).
  CREATE INDEX flags_by_flag ON flags(flag, sample_id);

  CREATE TABLE sample_notes (
    sample_id INTEGER PRIMARY KEY REFERENCES samples(id) ON DELETE CASCADE,
    note TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
  // 5: the scanner's verdict on files it read and refused (not an image, truncated, too large),
  // so an unchanged file is not read again on every open (issue 18, F3). Files it accepted are
  // the samples table, which already serves as their verdict.
  `
  CREATE TABLE rejected_files (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    rel_path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ms INTEGER NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (dataset_id, rel_path)
  );
  `,
  // Issue 16 (ranking): a folder the researcher declares out-of-sample (the model never trained on
  // its images, e.g. a copy of FER2013 test: the card cannot tell from the folder), and the combined
  // margin + poker-face score kept as a selectable order now that the default is self-confidence.
  `
  ALTER TABLE datasets ADD COLUMN out_of_sample_declared_at TEXT;
  ALTER TABLE review_scores ADD COLUMN combined REAL;
  CREATE INDEX review_scores_by_combined ON review_scores(dataset_id, combined);
  `,
  // Every review decision is data (issue 16). Labels, marks and notes are events of one log,
  // review_events, grouped into review_actions (what label_batches were): one undo history over
  // all of them, one step per action. samples.current_label, flags and sample_notes stay as what
  // the log adds up to, so the grid and the exports read state without replaying events.
  `
  ALTER TABLE label_batches RENAME TO review_actions;
  -- 'label' (number keys, 0), 'accept' (a suggestion), 'mark' (K, N, U, X), 'note'.
  ALTER TABLE review_actions ADD COLUMN kind TEXT NOT NULL DEFAULT 'label'
    CHECK (kind IN ('label', 'accept', 'mark', 'note'));
  -- What the action did, in words, as undo and redo name it: "marked happy/h2.png not-a-face".
  ALTER TABLE review_actions ADD COLUMN summary TEXT NOT NULL DEFAULT '';

  -- kind 'label': the label (NULL: unlabelled); 'mark': the mark's name while it is set, NULL
  -- while not; 'note': the note's text, NULL for none.
  CREATE TABLE review_events (
    id INTEGER PRIMARY KEY,
    sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
    action_id INTEGER REFERENCES review_actions(id) ON DELETE SET NULL,
    kind TEXT NOT NULL CHECK (kind IN ('label', 'mark', 'note')),
    old_value TEXT,
    new_value TEXT,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  INSERT INTO review_events (id, sample_id, action_id, kind, old_value, new_value, source, created_at)
    SELECT id, sample_id, batch_id, 'label', old_label, new_label, source, created_at FROM label_events;
  DROP TABLE label_events;
  CREATE INDEX review_events_by_sample ON review_events(sample_id, kind, id);
  CREATE INDEX review_events_by_action ON review_events(action_id);

  -- The relabels made before this version, named as the app names them now.
  UPDATE review_actions SET summary = (
    SELECT 'labelled ' ||
      CASE WHEN count(DISTINCT e.sample_id) = 1 THEN min(s.rel_path) ELSE count(DISTINCT e.sample_id) || ' samples' END ||
      CASE WHEN count(DISTINCT coalesce(e.new_value, '')) = 1 THEN ' ' || coalesce(min(e.new_value), 'unlabelled') ELSE '' END
    FROM review_events e JOIN samples s ON s.id = e.sample_id
    WHERE e.action_id = review_actions.id AND e.source IN ('user', 'import')
  ) WHERE EXISTS (SELECT 1 FROM review_events e WHERE e.action_id = review_actions.id AND e.source IN ('user', 'import'));

  -- The label changes alone, under the name the change log, the provenance export and the
  -- scanner's import use: they ask about labels, and marks or notes are not label changes.
  CREATE VIEW label_events AS
    SELECT id, sample_id, action_id AS batch_id, old_value AS old_label, new_value AS new_label, source, created_at
      FROM review_events WHERE kind = 'label';
  CREATE TRIGGER label_events_insert INSTEAD OF INSERT ON label_events BEGIN
    INSERT INTO review_events (sample_id, action_id, kind, old_value, new_value, source, created_at)
      VALUES (NEW.sample_id, NEW.batch_id, 'label', NEW.old_label, NEW.new_label, NEW.source, NEW.created_at);
  END;
  `,
  // Issue 17: duplicates and near duplicates. A fingerprint per image content (decoded-pixel hash
  // for exact duplicates, DCT hashes of the image and its mirror for near ones), keyed like
  // predictions by content hash and by what computed it, so a new algorithm computes afresh; and
  // each dataset's duplicate groups, with what produced them (algorithm and threshold).
  `
  CREATE TABLE image_fingerprints (
    content_hash TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    pixel_hash TEXT,
    phash TEXT,
    phash_mirror TEXT,
    -- Why the image could not be decoded (it then has no pixel hash): not tried again under this algorithm.
    error TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (content_hash, algorithm)
  );
  CREATE TABLE duplicate_members (
    sample_id INTEGER PRIMARY KEY REFERENCES samples(id) ON DELETE CASCADE,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    -- The smallest sample id of the group.
    group_id INTEGER NOT NULL,
    -- Equal for members with the same decoded pixels (exact duplicates of each other).
    pixel_key TEXT NOT NULL
  );
  CREATE INDEX duplicate_members_by_group ON duplicate_members(dataset_id, group_id);
  CREATE TABLE duplicate_groupings (
    dataset_id INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
    produced_by TEXT NOT NULL,
    computed_at TEXT NOT NULL
  );
  `,
  // Issue 17 (embeddings): each image's classifier embedding per model, keyed like predictions (content
  // hash, model id: a run resumes, identical files are computed once, another model has its own); the
  // share of a face's nearest neighbours labelled otherwise as one more ranking score, with the
  // neighbour lists it is computed from; and the 2-D map
  // of a dataset's embeddings per model, stored with the number of embeddings it was made from so a
  // later run makes it stale.
  `
  CREATE TABLE embeddings (
    content_hash TEXT NOT NULL,
    model_id TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL, -- float32, little-endian, dim values
    PRIMARY KEY (content_hash, model_id)
  ) WITHOUT ROWID;

  ALTER TABLE review_scores ADD COLUMN neighbour_disagreement REAL;
  CREATE INDEX review_scores_by_neighbours ON review_scores(dataset_id, neighbour_disagreement);

  -- Each sample's k nearest neighbours by embedding (cosine; itself and identical files left out),
  -- one row per dataset and model: what the neighbour label score is computed from at every ranking,
  -- so relabelling and ranking again never searches again.
  CREATE TABLE neighbour_lists (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    model_id TEXT NOT NULL,
    k INTEGER NOT NULL,
    sample_ids BLOB NOT NULL,   -- int32 little-endian, the samples searched from
    neighbours BLOB NOT NULL,   -- int32 little-endian, k sample ids per sample, nearest first; -1 none
    similarities BLOB NOT NULL, -- float32 little-endian, their cosine similarities
    embeddings INTEGER NOT NULL,
    computed_at TEXT NOT NULL,
    PRIMARY KEY (dataset_id, model_id)
  );

  CREATE TABLE embedding_maps (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    model_id TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('pca', 'umap')),
    sample_ids BLOB NOT NULL, -- int32 little-endian, the samples in coordinate order
    coords BLOB NOT NULL,     -- float32 little-endian, x and y per sample
    embeddings INTEGER NOT NULL,
    computed_at TEXT NOT NULL,
    PRIMARY KEY (dataset_id, model_id, method)
  );
  `,
  // Issue 19: one index per grid order (each sort key, both directions), holding its ORDER BY
  // (samples.ts orderClause) term for term, so that a page of a 1M-sample grid sorted by a score
  // reads its 300 rows from the index instead of sorting a million (0.5-0.9 s a page before).
  `
  CREATE INDEX review_scores_order_score ON review_scores(dataset_id, score IS NULL, out_of_sample IS 0, score DESC, sample_id);
  CREATE INDEX review_scores_order_score_reversed ON review_scores(dataset_id, score IS NULL, out_of_sample IS 0, score ASC, sample_id);
  CREATE INDEX review_scores_order_combined ON review_scores(dataset_id, combined IS NULL, out_of_sample IS 0, combined DESC, sample_id);
  CREATE INDEX review_scores_order_combined_reversed ON review_scores(dataset_id, combined IS NULL, out_of_sample IS 0, combined ASC, sample_id);
  CREATE INDEX review_scores_order_self_confidence ON review_scores(dataset_id, self_confidence IS NULL, out_of_sample IS 0, self_confidence ASC, sample_id);
  CREATE INDEX review_scores_order_self_confidence_reversed ON review_scores(dataset_id, self_confidence IS NULL, out_of_sample IS 0, self_confidence DESC, sample_id);
  CREATE INDEX review_scores_order_margin ON review_scores(dataset_id, margin IS NULL, out_of_sample IS 0, margin ASC, sample_id);
  CREATE INDEX review_scores_order_margin_reversed ON review_scores(dataset_id, margin IS NULL, out_of_sample IS 0, margin DESC, sample_id);
  CREATE INDEX review_scores_order_intensity_mismatch ON review_scores(dataset_id, intensity_mismatch IS NULL, out_of_sample IS 0, intensity_mismatch DESC, sample_id);
  CREATE INDEX review_scores_order_intensity_mismatch_reversed ON review_scores(dataset_id, intensity_mismatch IS NULL, out_of_sample IS 0, intensity_mismatch ASC, sample_id);
  CREATE INDEX review_scores_order_neighbour_disagreement ON review_scores(dataset_id, neighbour_disagreement IS NULL, out_of_sample IS 0, neighbour_disagreement DESC, sample_id);
  CREATE INDEX review_scores_order_neighbour_disagreement_reversed ON review_scores(dataset_id, neighbour_disagreement IS NULL, out_of_sample IS 0, neighbour_disagreement ASC, sample_id);
  `,
  // Issue 17 item 2 (odd images): how likely each image is not a usable face (blank, not a face, a
  // graphic), from its neighbours' similarities and the classifier's entropy (review/oddness.ts);
  // stored with the ranking so the grid sorts and queues by it.
  `
  ALTER TABLE review_scores ADD COLUMN oddness REAL;
  CREATE INDEX review_scores_by_oddness ON review_scores(dataset_id, oddness);
  `,
  // Issue 19 (reopen of 300k faces in seconds): what the last whole scan of a dataset saw on disk
  // (datasets/listingSignature.ts). A reopen that sees the same uses the stored scan.
  `
  CREATE TABLE dataset_listings (
    dataset_id INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
    signature TEXT NOT NULL,
    listed_at TEXT NOT NULL
  );
  `,
  // Issue 19 (ranking 1M): the first per-score indexes (dataset_id, score) and the like serve no
  // query since the order indexes above serve every sort (bench:scale's queries measured the same
  // without them), and a 1M ranking rebuilt each in about a second.
  `
  DROP INDEX IF EXISTS review_scores_by_score;
  DROP INDEX IF EXISTS review_scores_by_self_confidence;
  DROP INDEX IF EXISTS review_scores_by_margin;
  DROP INDEX IF EXISTS review_scores_by_mismatch;
  DROP INDEX IF EXISTS review_scores_by_combined;
  DROP INDEX IF EXISTS review_scores_by_neighbours;
  `,
  // Issue 19: the dataset summary, read again after every burst of decisions, counts labelled and
  // changed samples. With the original label in this index too, the count reads the index alone
  // (1M samples: 0.85 s → 0.10 s in sqlite3); every query that used it still can (same prefix).
  `
  DROP INDEX IF EXISTS samples_by_current;
  CREATE INDEX samples_by_current ON samples(dataset_id, status, current_label, original_label);
  `,
  // Issue 19 (metrics 1M): present samples counted by (original, current, predicted label), kept
  // by SQLite itself as samples change, so the metrics read a few hundred rows instead of joining
  // 1M samples to their scores on every request (1.1-1.5 s in sqlite3). '' stands for "none" (a
  // label is never empty), because NULLs never match in a key. The predicted label is the one in
  // review_scores when the sample changes; saveRanking recounts the dataset when it writes new ones.
  // BEFORE DELETE: a sample's scores go with it (ON DELETE CASCADE), so they are read first.
  `
  CREATE TABLE label_tally (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    original_label TEXT NOT NULL,
    current_label TEXT NOT NULL,
    predicted_label TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (dataset_id, original_label, current_label, predicted_label)
  ) WITHOUT ROWID;
  INSERT INTO label_tally
    SELECT s.dataset_id, coalesce(s.original_label, ''), coalesce(s.current_label, ''), coalesce(r.predicted_label, ''), count(*)
      FROM samples s LEFT JOIN review_scores r ON r.sample_id = s.id
     WHERE s.status = 'present'
     GROUP BY 1, 2, 3, 4;
  CREATE TRIGGER label_tally_insert AFTER INSERT ON samples WHEN NEW.status = 'present' BEGIN
    INSERT INTO label_tally VALUES (NEW.dataset_id, coalesce(NEW.original_label, ''), coalesce(NEW.current_label, ''),
      coalesce((SELECT predicted_label FROM review_scores WHERE sample_id = NEW.id), ''), 1)
      ON CONFLICT DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER label_tally_delete BEFORE DELETE ON samples WHEN OLD.status = 'present' BEGIN
    UPDATE label_tally SET n = n - 1
     WHERE dataset_id = OLD.dataset_id AND original_label = coalesce(OLD.original_label, '')
       AND current_label = coalesce(OLD.current_label, '')
       AND predicted_label = coalesce((SELECT predicted_label FROM review_scores WHERE sample_id = OLD.id), '');
  END;
  CREATE TRIGGER label_tally_update AFTER UPDATE OF original_label, current_label, status ON samples
    WHEN OLD.original_label IS NOT NEW.original_label OR OLD.current_label IS NOT NEW.current_label OR OLD.status IS NOT NEW.status
  BEGIN
    UPDATE label_tally SET n = n - 1
     WHERE OLD.status = 'present' AND dataset_id = OLD.dataset_id AND original_label = coalesce(OLD.original_label, '')
       AND current_label = coalesce(OLD.current_label, '')
       AND predicted_label = coalesce((SELECT predicted_label FROM review_scores WHERE sample_id = OLD.id), '');
    INSERT INTO label_tally
      SELECT NEW.dataset_id, coalesce(NEW.original_label, ''), coalesce(NEW.current_label, ''),
             coalesce((SELECT predicted_label FROM review_scores WHERE sample_id = NEW.id), ''), 1
       WHERE NEW.status = 'present'
      ON CONFLICT DO UPDATE SET n = n + 1;
  END;
  `,
  // Issue 17 (near duplicates, second way): a content's fingerprint carries its 32-px grey thumbnail,
  // which the near-duplicate search compares (duplicates/nearSearch.ts); the DCT hashes it replaced
  // are no longer computed (phash and phash_mirror stay empty). The first way's fingerprints are
  // never read again, so they go. Each grouping keeps the close pairs it was made from, with the
  // verifier's score, replaced with the groups.
  `
  ALTER TABLE image_fingerprints ADD COLUMN thumb BLOB;
  CREATE TABLE near_duplicate_pairs (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    -- The two contents' pixel keys (duplicate_members.pixel_key), the smaller first.
    pixel_key_a TEXT NOT NULL,
    pixel_key_b TEXT NOT NULL,
    score REAL NOT NULL,
    PRIMARY KEY (dataset_id, pixel_key_a, pixel_key_b)
  );
  DELETE FROM image_fingerprints WHERE algorithm = 'pixels-sha256+dct64-mirror/v1';
  `,
  // Issue 19: the grid sorts by self-confidence through the "most likely wrong" order index (that
  // score is 1 − self-confidence), so its own pair, rebuilt by every 1M ranking, goes.
  `
  DROP INDEX IF EXISTS review_scores_order_self_confidence;
  DROP INDEX IF EXISTS review_scores_order_self_confidence_reversed;
  `,
  // Issue 19: the odd-images order (store/oddness.ts ODD_ORDER_SQL) read from indexes holding it term
  // for term, like the label scores' above: sorting 1M faces took 270-320 ms a page. The
  // queue's range (oddness at least the cut) is read from the first, so (dataset_id, oddness) goes:
  // one index more for each 1M ranking to build, not two.
  `
  DROP INDEX IF EXISTS review_scores_by_oddness;
  CREATE INDEX review_scores_order_oddness ON review_scores(dataset_id, oddness IS NULL, oddness DESC, sample_id);
  CREATE INDEX review_scores_order_oddness_reversed ON review_scores(dataset_id, oddness IS NULL, oddness ASC, sample_id);
  `,
  // Issue 17/19 (the map and "more like this" at 1M): how many of a dataset's faces have an embedding
  // by a model, and how many a prediction but none, kept until something they count changes. Counted
  // on each request, joining 1M samples to their embeddings and predictions took 12 s each (a
  // one-off probe on bench:scale's store); the neighbour lists' freshness and every ranking asked
  // it too. The triggers forget a count when a sample of its dataset, or an embedding or prediction
  // of its model, is added, removed or changed, whichever connection writes. The samples' content-hash index
  // also holds the dataset and status, so that counting reads the model's embeddings or predictions in
  // hash order and finds their samples in this index alone: 12 s → 1.0-1.3 s each in sqlite3 at 1M.
  `
  DROP INDEX IF EXISTS samples_by_hash;
  CREATE INDEX samples_by_hash ON samples(content_hash, dataset_id, status);
  CREATE TABLE embedding_coverage (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    model_id TEXT NOT NULL,
    embeddings INTEGER NOT NULL,
    missing INTEGER NOT NULL,
    PRIMARY KEY (dataset_id, model_id)
  ) WITHOUT ROWID;
  CREATE TRIGGER embedding_coverage_sample_added AFTER INSERT ON samples BEGIN
    DELETE FROM embedding_coverage WHERE dataset_id = NEW.dataset_id;
  END;
  CREATE TRIGGER embedding_coverage_sample_removed AFTER DELETE ON samples BEGIN
    DELETE FROM embedding_coverage WHERE dataset_id = OLD.dataset_id;
  END;
  CREATE TRIGGER embedding_coverage_sample_changed AFTER UPDATE OF dataset_id, content_hash, status ON samples
    WHEN OLD.dataset_id IS NOT NEW.dataset_id OR OLD.content_hash IS NOT NEW.content_hash OR OLD.status IS NOT NEW.status
  BEGIN
    DELETE FROM embedding_coverage WHERE dataset_id IN (OLD.dataset_id, NEW.dataset_id);
  END;
  CREATE TRIGGER embedding_coverage_embedding_added AFTER INSERT ON embeddings BEGIN
    DELETE FROM embedding_coverage WHERE model_id = NEW.model_id;
  END;
  CREATE TRIGGER embedding_coverage_embedding_removed AFTER DELETE ON embeddings BEGIN
    DELETE FROM embedding_coverage WHERE model_id = OLD.model_id;
  END;
  CREATE TRIGGER embedding_coverage_embedding_changed AFTER UPDATE ON embeddings BEGIN
    DELETE FROM embedding_coverage WHERE model_id IN (OLD.model_id, NEW.model_id);
  END;
  CREATE TRIGGER embedding_coverage_prediction_added AFTER INSERT ON predictions BEGIN
    DELETE FROM embedding_coverage WHERE model_id = NEW.model_id;
  END;
  CREATE TRIGGER embedding_coverage_prediction_removed AFTER DELETE ON predictions BEGIN
    DELETE FROM embedding_coverage WHERE model_id = OLD.model_id;
  END;
  `,
  // Issue 17 item 2: the odd-image score reads each embedding's length (review/oddness.ts), kept
  // beside the neighbour lists (float32 per sample, in their order), which read every embedding
  // anyway. Lists from before have none: the next ranking adds them (neighbours/service.ts).
  `
  ALTER TABLE neighbour_lists ADD COLUMN norms BLOB;
  `,
  // Issue 19 (ranking 1M < 10 s): the grid's orders by a score are kept in memory (scoreOrders.ts),
  // sorted when first asked for, instead of in these twelve indexes, which every 1M ranking rebuilt
  // (10 of its 24 s, a one-off probe on bench:scale's store) whether anyone sorted by them or not.
  // saveRanking counts its writes, so a kept order knows whether it is still the stored one.
  `
  DROP INDEX IF EXISTS review_scores_order_score;
  DROP INDEX IF EXISTS review_scores_order_score_reversed;
  DROP INDEX IF EXISTS review_scores_order_combined;
  DROP INDEX IF EXISTS review_scores_order_combined_reversed;
  DROP INDEX IF EXISTS review_scores_order_margin;
  DROP INDEX IF EXISTS review_scores_order_margin_reversed;
  DROP INDEX IF EXISTS review_scores_order_intensity_mismatch;
  DROP INDEX IF EXISTS review_scores_order_intensity_mismatch_reversed;
  DROP INDEX IF EXISTS review_scores_order_neighbour_disagreement;
  DROP INDEX IF EXISTS review_scores_order_neighbour_disagreement_reversed;
  DROP INDEX IF EXISTS review_scores_order_oddness;
  DROP INDEX IF EXISTS review_scores_order_oddness_reversed;
  ALTER TABLE review_rankings ADD COLUMN scores_written INTEGER NOT NULL DEFAULT 0;
  -- A score changed in place (no code of the app's does; a hand edit, a future tool) counts as a
  -- write too. saveRanking deletes and inserts, so this costs its 1M rows nothing.
  CREATE TRIGGER review_scores_changed AFTER UPDATE ON review_scores BEGIN
    UPDATE review_rankings SET scores_written = scores_written + 1 WHERE dataset_id IN (OLD.dataset_id, NEW.dataset_id);
  END;
  `,
  // Issue 19 (ranking 1M < 10 s): the grid's flagged and predicted-class filters are answered from
  // the kept scores when sorted by a score (scoreOrders.ts); what SQL still asks (reviewProgress,
  // path-sorted views) does not need an index over all 1M rows, which each 1M ranking rebuilt
  // (0.5-0.7 s each, a one-off probe on bench:scale's store). The flagged faces alone (a fifth
  // there) are indexed, for reviewProgress's counts.
  `
  DROP INDEX IF EXISTS review_scores_by_predicted;
  DROP INDEX IF EXISTS review_scores_flagged;
  CREATE INDEX review_scores_flagged ON review_scores(dataset_id) WHERE flagged = 1;
  `,
  // Issue 19: a ranking's join of a dataset's samples to a model's predictions (by content hash,
  // 5-6 s at 1M) is kept between rankings (rankingInputs.ts) while these counts stand still: every
  // write to a model's predictions, and every sample of a dataset added, removed, or changed in
  // content or presence, counts one. Relabelling counts nothing.
  `
  CREATE TABLE ranking_input_writes (
    scope TEXT PRIMARY KEY, -- 'model:<model id>' or 'dataset:<dataset id>'
    n INTEGER NOT NULL
  );
  CREATE TRIGGER ranking_inputs_prediction_added AFTER INSERT ON predictions BEGIN
    ${countWrite(`'model:' || NEW.model_id`)}
  END;
  CREATE TRIGGER ranking_inputs_prediction_removed AFTER DELETE ON predictions BEGIN
    ${countWrite(`'model:' || OLD.model_id`)}
  END;
  CREATE TRIGGER ranking_inputs_prediction_changed
    AFTER UPDATE OF content_hash, model_id, probabilities, emotion_intensity ON predictions BEGIN
    ${countWrite(`'model:' || OLD.model_id`)}
    ${countWrite(`'model:' || NEW.model_id`)}
  END;
  CREATE TRIGGER ranking_inputs_sample_added AFTER INSERT ON samples BEGIN
    ${countWrite(`'dataset:' || NEW.dataset_id`)}
  END;
  CREATE TRIGGER ranking_inputs_sample_removed AFTER DELETE ON samples BEGIN
    ${countWrite(`'dataset:' || OLD.dataset_id`)}
  END;
  -- The scanner sets content_hash and status on every file it finds again: only a change counts.
  CREATE TRIGGER ranking_inputs_sample_changed AFTER UPDATE OF dataset_id, content_hash, status ON samples
    WHEN OLD.dataset_id IS NOT NEW.dataset_id OR OLD.content_hash IS NOT NEW.content_hash OR OLD.status IS NOT NEW.status BEGIN
    ${countWrite(`'dataset:' || OLD.dataset_id`)}
    ${countWrite(`'dataset:' || NEW.dataset_id`)}
  END;
  `,
  // Stored results are keyed by image and model id; a model exported again under the same id (trained
  // again, another generator) must not be shown its predecessor's. The graphs' hashes that the stored
  // results of each model came from (modelGraphs.ts); no row: not known (a store from before this).
  `
  CREATE TABLE model_graphs (
    model_id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL, -- the classify graph's SHA-256, then the generate graph's ('-' for none)
    recorded_at TEXT NOT NULL
  );
  `,
  // The odd-image score's flatness (review/oddness.ts): each thumbnail's contrast beyond a plane,
  // stored with it. Ranking asks only for the nearly empty frames, which this partial index holds
  // (8 = FLAT_FACE in review/oddness.ts), so 1M faces cost it nothing. Thumbnails stored
  // before have none until the next duplicate search fills them in (fillMissingContrasts).
  `
  ALTER TABLE image_fingerprints ADD COLUMN contrast REAL;
  CREATE INDEX image_fingerprints_flat ON image_fingerprints(algorithm, content_hash) WHERE contrast < 8;
  CREATE INDEX image_fingerprints_without_contrast ON image_fingerprints(algorithm) WHERE contrast IS NULL AND thumb IS NOT NULL;
  `
]
