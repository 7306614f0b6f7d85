import { ODD_QUEUE_MIN } from '../review/oddness'

/**
 * SQL for the odd-images sort and queue (issue 17 item 2) over `review_scores r`, kept out of
 * samples.ts. Unlike the label scores, in-sample faces are not put last: whether an image is a face
 * at all does not depend on the model having memorised its label.
 */
export const ODD_FILTER_SQL = `r.oddness >= ${ODD_QUEUE_MIN}`

/** Highest score first (lowest with reverse); images without a score last; ties by scan order. */
export const ODD_ORDER_SQL = (reverse: boolean): string => `r.oddness IS NULL, r.oddness ${reverse ? 'ASC' : 'DESC'}, s.id`
