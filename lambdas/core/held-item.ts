/**
 * The id of the item a vendor's preparation holds at the vendor for one purchase before it is
 * approved (core/vendor-preparation.ts), which its leftovers take back (core/vendor-leftovers.ts):
 * CoCalc's cart item (a number), another vendor's hold, as that vendor names it (a number or a
 * string). procure only carries it: in `$.cart.itemId`, the purchase record's `cartItemId` and the
 * reconciler's actions, names kept from CoCalc, the first vendor with such an item, because they
 * are stored data and the state the machine passes between deployed steps. Each vendor checks that
 * an id it is given is one of its own (CoCalc's: cocalcItemId).
 *
 * A vendor's listing (VendorLeftovers.list) must give an item the very id its preparation returned,
 * of the same type: the reconciler matches them with `===` (123 is not '123'). Keep a string id
 * short (well under 200 characters): a longer run of id-like characters is redacted from audit
 * details as a possible secret (shared/redact.ts), and the reconciler could no longer match it there.
 */
export type HeldItemId = number | string;

/** The purchase's held item: the state's (its preparation's answer), else the record's (an earlier run's). */
export function heldItemOf(state: { cart?: { itemId?: HeldItemId } }, record: { cartItemId?: HeldItemId } | undefined): HeldItemId | undefined {
  return state.cart?.itemId ?? record?.cartItemId;
}
