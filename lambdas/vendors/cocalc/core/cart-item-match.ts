import { isDeepStrictEqual } from 'node:util';
import type { CocalcCartItem } from './ports';

/**
 * Finds the cart item a `shopping/cart/add` just created. The vendor returns only the row count
 * `1` (cocalc-api-v2.md §4.3), so: an item whose id was not in the cart before the add, whose
 * product and description match what was sent, and of those the highest id (ids come from one
 * increasing sequence, §4.1). An identical item that was already in the cart is never picked.
 *
 * `sent` must be the JSON round trip of the request body's description, so absent optional fields
 * compare as absent.
 */
export function findNewCartItem(
  beforeIds: ReadonlySet<number>,
  after: readonly CocalcCartItem[],
  product: string,
  sent: Record<string, unknown>,
): CocalcCartItem | undefined {
  let found: CocalcCartItem | undefined;
  for (const item of after) {
    if (beforeIds.has(item.id) || item.product !== product || !sameDescription(item.description, sent)) continue;
    if (!found || item.id > found.id) found = item;
  }
  return found;
}

function sameDescription(stored: Record<string, unknown>, sent: Record<string, unknown>): boolean {
  const { range: storedRange, ...storedRest } = stored;
  const { range: sentRange, ...sentRest } = sent;
  if (!isDeepStrictEqual(storedRest, sentRest)) return false;
  if (sentRange === undefined) return storedRange === undefined;
  // The vendor rewrites a range whose start is past: on add it shifts it to start now (§4.3), on
  // every cart read it moves the start to now and the end to at least start + 1 h (§4.4).
  return Array.isArray(storedRange) && storedRange.length === 2;
}
