import type { HeldItemId } from '../../../core/held-item';

/**
 * A held item id procure carries for a CoCalc purchase ($.cart.itemId, the record's cartItemId) as
 * CoCalc's: a cart item id is a SERIAL, a whole number (cocalc-api-v2.md §4.1). Anything else (a
 * string, say) is not an id CoCalc gave, and no cart call is made with it.
 */
export function cocalcItemId(id: HeldItemId): number {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw new Error(`${JSON.stringify(id)} is not a CoCalc cart item id`);
  return id;
}
