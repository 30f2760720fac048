/**
 * The compensation steps RecordNotCompleted runs for a purchase that did not complete, by the names
 * its audit entries (`detail.step`) and the purchase record's `cleanupPending` use. Shared with the
 * reconciler, which retries the steps a purchase still lists as pending.
 */
export const CLEANUP_STEPS = {
  /** Take back the item the vendor's preparation left, unless bought (CoCalc: delete our cart item; it deletes only unbought items). */
  deleteCartItem: 'delete-cart-item',
  /** Give the budget reservation back: only once nothing can have been bought. */
  releaseReservation: 'release-reservation',
} as const;

export type CleanupStep = (typeof CLEANUP_STEPS)[keyof typeof CLEANUP_STEPS];
