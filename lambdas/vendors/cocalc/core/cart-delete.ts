import { VendorRejectedError } from '../../../core/errors';
import type { CocalcCartItem, CocalcGateway } from './ports';

/**
 * Deletes a CoCalc cart item, and looks at it only when nothing was deleted: CoCalc deletes only
 * unbought items, so a delete that answers 1 proves the item was not bought and can no longer be.
 * 'gone' when the vendor no longer knows the item; otherwise the item as it stands, for the caller
 * to judge (bought, or neither). Shared by RecordNotCompleted's compensation and the reconciler.
 */
export async function deleteCartItemOrLook(gateway: CocalcGateway, itemId: number): Promise<'deleted' | 'gone' | CocalcCartItem> {
  if (await gateway.deleteFromCart(itemId)) return 'deleted';
  try {
    return await gateway.getCartItem(itemId);
  } catch (err) {
    if (err instanceof VendorRejectedError && /no item with id/i.test(err.message)) return 'gone';
    throw err;
  }
}
