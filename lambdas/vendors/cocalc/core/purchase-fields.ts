/**
 * CoCalc's fields of procure's purchase record (core/purchase-ports.ts PurchaseRecord), declared
 * by module augmentation: what its add and checkout keep on the purchase so that a retried or
 * restarted step knows what happened. Written and read by ./add-to-cart.ts and ./checkout-run.ts.
 */
declare module '../../../core/purchase-ports' {
  interface PurchaseRecord {
    /** The cart item was parked unchecked after the add (AddToCart's last vendor write). */
    cartItemParked?: boolean;
    /** The checkout's progress, so a retried or restarted Checkout knows what happened. */
    checkout?: CheckoutProgress;
  }
}

/**
 * One purchase's CoCalc checkout attempts. `outcome` is what is known of the latest attempt:
 * `started` (sent, or about to be: a crash here is an unknown outcome too), `unknown` (the call
 * failed in a way that may have bought), `not-bought` (the vendor proved it did not take our item).
 */
export interface CheckoutProgress {
  attempt: number;
  outcome: 'started' | 'unknown' | 'not-bought';
  /** Other checked items this purchase unchecked; re-checked only once its outcome is known. */
  othersUnchecked: number[];
  /**
   * An attempt of this purchase had an unknown outcome: that checkout may still run at the vendor
   * and would buy every checked item, so nothing unchecked is ever re-checked afterwards.
   */
  hadUnknown?: boolean;
}
