/** InterServer SOAP sandbox (shared/vendors/interserver-soap.md): see sandbox.ts for the entry point. */
export { startInterserverSandbox, SANDBOX_DEFAULTS } from './sandbox';
export type { InterserverSandbox, InterserverSandboxOptions } from './sandbox';
export { runInterserverSandboxCli } from './cli';
export type { SandboxCliIo } from './cli';
export { InterserverSandboxState, SANDBOX_COUPONS } from './state';
export type { InvoiceRow, LicenseRow, RecordedRequest, RepeatInvoiceRow, SandboxAccount, SandboxCoupon } from './state';
export { INTERNAL_NETWORK, LICENSE_TYPES } from './catalog';
