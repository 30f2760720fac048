/**
 * The compensation steps RecordNotCompleted runs for a purchase that did not complete, by the names
 * its audit entries (`detail.step`) and the purchase record's `cleanupPending` use. Shared with the
 * reconciler, which retries the steps a purchase still lists as pending.
 */
export const CLEANUP_STEPS = {
  /** Delete our unpurchased CoCalc cart item (the vendor deletes only unpurchased items). */
  deleteCartItem: 'delete-cart-item',
  /** Give the budget reservation back: only once nothing can have been bought. */
  releaseReservation: 'release-reservation',
} as const;

export type CleanupStep = (typeof CLEANUP_STEPS)[keyof typeof CLEANUP_STEPS];
