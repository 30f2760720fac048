export { COCALC_DEFAULT_BASE_URL, UndiciCocalcGateway, createCocalcGateway } from './undici-cocalc-gateway';
export type { UndiciCocalcGatewayOptions } from './undici-cocalc-gateway';
export { toVendorError } from './vendor-errors';
