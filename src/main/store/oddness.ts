import { ODD_QUEUE_MIN } from '../review/oddness'

/**
 * SQL: the ids of dataset `?`'s samples in the odd-images queue (odd-image score at least
 * ODD_QUEUE_MIN (issue 17 item 2)), for the views SQL still orders: a list of faces, the duplicates
 * queue. The grid's own queue is the head of the kept odd-images order (scoreOrders.ts).
 */
export const ODD_IDS_SQL = `(SELECT sample_id FROM review_scores
  WHERE dataset_id = ? AND oddness >= ${ODD_QUEUE_MIN})`
