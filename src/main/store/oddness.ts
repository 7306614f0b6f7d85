import { ODD_QUEUE_MIN } from '../review/oddness'

/*
 * SQL for the odd-images sort and queue (issue 17 item 2), kept out of samples.ts. Unlike the label
 * scores, in-sample faces are not put last: whether an image is a face at all does not depend on the
 * model having memorised its label.
 */

/**
 * SQL: the ids of dataset `?`'s samples in the odd-images queue (odd-image score at least
 * ODD_QUEUE_MIN), a range of review_scores_order_oddness (the `IS NULL` term is that index's second
 * column, which SQLite must see pinned to read the third as a range): what the queue's query is
 * driven from (samples.ts).
 */
export const ODD_IDS_SQL = `(SELECT sample_id FROM review_scores
  WHERE dataset_id = ? AND oddness IS NULL = 0 AND oddness >= ${ODD_QUEUE_MIN})`

/**
 * Over `review_scores r`: highest score first (lowest with reverse); images without a score last;
 * ties by scan order (`tieBreak`, s.id or r.sample_id). Term for term as the
 * review_scores_order_oddness indexes hold it (migrations.ts), so they serve it.
 */
export const ODD_ORDER_SQL = (reverse: boolean, tieBreak = 's.id'): string =>
  `r.oddness IS NULL, r.oddness ${reverse ? 'ASC' : 'DESC'}, ${tieBreak}`
