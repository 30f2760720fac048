import { cocalcItemId } from './cart-item-id';
import type { CocalcCartItem, CocalcGateway } from './ports';
import type { BoughtItem, ItemFate, VendorItem, VendorLeftovers } from '../../../core/vendor-leftovers';
import { deleteCartItemOrLook } from './cart-delete';
import { purchaseIdOfItem } from './cart-tag';

/**
 * CoCalc's leftovers (core/vendor-leftovers.ts): the cart item its preparation adds (./first-add.ts),
 * tagged with its purchase (./cart-tag.ts). Taken back by deleting it, which CoCalc does only for
 * an unbought item (cocalc-api-v2.md §4.5); listed from the cart and the purchased list, tagged
 * items only: the account owner's items never reach procure's reconciler.
 */
export function cocalcLeftovers(cocalc: () => Promise<CocalcGateway>): VendorLeftovers<'cocalc'> {
  return {
    vendor: 'cocalc',
    noun: 'cart item',
    takeBack: async (itemId) => {
      const id = cocalcItemId(itemId);
      return takeBack(await cocalc(), id);
    },
    list: async (boughtSince) => list(await cocalc(), boughtSince),
  };
}

/** The item deleted, gone, or bought; anything else is an error (deleteCartItemOrLook, ./cart-delete.ts). */
async function takeBack(gateway: CocalcGateway, itemId: number): Promise<ItemFate> {
  const item = await deleteCartItemOrLook(gateway, itemId);
  if (typeof item === 'string') return { outcome: item };
  if (item.purchased) return { outcome: 'bought', item: boughtItem(item) };
  throw new Error(`CoCalc cart item ${itemId} is neither deleted nor bought`);
}

async function list(gateway: CocalcGateway, boughtSince: number): Promise<VendorItem[]> {
  // The current cart (shopping/cart/get {}) lists only unbought items; a tagged item a late or
  // interrupted checkout bought is only in the purchased list (bounded to `boughtSince`).
  const bought = (await gateway.getPurchasedItems()).filter((i) => Date.parse(i.purchased?.time ?? '') >= boughtSince);
  // One entry per item; the purchased list is the newer word on an item a stale listing still shows.
  const items = [...new Map([...(await gateway.getCart()), ...bought].map((i) => [i.id, i])).values()];
  return items.flatMap((item) => {
    const purchaseId = purchaseIdOfItem(item);
    return purchaseId === undefined ? [] : [vendorItem(item, purchaseId)];
  });
}

function vendorItem(item: CocalcCartItem, purchaseId: string): VendorItem {
  return {
    vendor: 'cocalc',
    id: item.id,
    purchaseId,
    added: item.added,
    checked: item.checked,
    setAside: Boolean(item.removed),
    ...(item.purchased ? { bought: boughtItem(item) } : {}),
  };
}

function boughtItem(item: CocalcCartItem): BoughtItem {
  return {
    id: item.id,
    ...(item.purchased?.licenseId ? { licenseId: item.purchased.licenseId } : {}),
    ...(item.purchased?.time ? { time: item.purchased.time } : {}),
  };
}
