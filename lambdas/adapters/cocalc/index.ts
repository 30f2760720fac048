export { COCALC_DEFAULT_BASE_URL, UndiciCocalcGateway, createCocalcGateway } from './undici-cocalc-gateway';
export type { UndiciCocalcGatewayOptions } from './undici-cocalc-gateway';
export { COCALC_ADD_LIMITS, realClock } from './sliding-window-pacer';
export type { CocalcPacing, PacingClock } from './sliding-window-pacer';
export { toVendorError } from './vendor-errors';
export { findNewCartItem } from './cart-item-match';
