/**
 * The id of the item a vendor's preparation holds at the vendor for one purchase before it is
 * approved (core/vendor-preparation.ts), which its leftovers take back (core/vendor-leftovers.ts):
 * CoCalc's cart item (a number), another vendor's hold, as that vendor names it (a number or a
 * string). procure only carries it: in `$.cart.itemId`, the purchase record's `cartItemId` and the
 * reconciler's actions, names kept from CoCalc, the first vendor with such an item, because they
 * are stored data and the state the machine passes between deployed steps. Each vendor checks that
 * an id it is given is one of its own (CoCalc's: cocalcItemId).
 */
export type HeldItemId = number | string;
