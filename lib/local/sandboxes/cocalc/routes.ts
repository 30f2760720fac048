import { addToCart, deleteFromCart, editCartItem, getCart, recentPurchases, removeFromCart, setChecked } from './cart';
import { getBalance, getCheckoutParams, legacyCheckout, shoppingCartCheckout } from './checkout';
import type { EndpointHandler } from './endpoint';
import { getManagedLicenses } from './licenses';
import { userQuery } from './user-query';

/** Emulated endpoints, by path below `/api/v2/`; these paths are also the fault-injection operation names. */
export const ROUTES: ReadonlyMap<string, EndpointHandler> = new Map<string, EndpointHandler>([
  ['user-query', userQuery],
  ['shopping/cart/add', addToCart],
  ['shopping/cart/get', getCart],
  ['shopping/cart/remove', removeFromCart],
  ['shopping/cart/delete', deleteFromCart],
  ['shopping/cart/edit', editCartItem],
  ['shopping/cart/checked', setChecked],
  ['shopping/cart/recent-purchases', recentPurchases],
  ['shopping/cart/checkout', legacyCheckout],
  ['purchases/shopping-cart-checkout', shoppingCartCheckout],
  ['purchases/get-shopping-cart-checkout-params', getCheckoutParams],
  ['purchases/get-balance', getBalance],
  ['licenses/get-managed', getManagedLicenses],
]);
