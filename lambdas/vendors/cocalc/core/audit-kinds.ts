/**
 * The audit entries CoCalc's own steps write (its cart and checkout), declared for procure's
 * AuditKind by module augmentation (core/audit-kinds.ts VendorAuditKinds). Read back by kind by
 * AddToCart's retry (./add-to-cart-rules.ts: the cart snapshot before an add).
 */
export const COCALC_AUDIT = {
  cartAddStarted: 'CART_ADD_STARTED',
  cartItemAdded: 'CART_ITEM_ADDED',
  cartItemChanged: 'CART_ITEM_CHANGED',
  cartItemsLeftUnchecked: 'CART_ITEMS_LEFT_UNCHECKED',
  cartRestoreFailed: 'CART_RESTORE_FAILED',
  checkoutRefused: 'CHECKOUT_REFUSED',
} as const;

type CocalcAuditKinds = Record<(typeof COCALC_AUDIT)[keyof typeof COCALC_AUDIT], true>;

declare module '../../../core/audit-kinds' {
  interface VendorAuditKinds extends CocalcAuditKinds {}
}
