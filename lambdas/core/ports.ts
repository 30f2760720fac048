/**
 * Ports: interfaces the domain and handlers depend on. Adapters in lambdas/adapters implement them
 * (HOUSE-STYLE "Hexagonal"). A vendor's own port is in its folder (lambdas/vendors/<vendor>/core/ports.ts),
 * imported from there by its own code only; procure's steps reach a vendor through the vendor ports beside this file.
 * Vendor ports return plain typed objects, never raw vendor payloads. The ports a vendor implements
 * for generic steps (./vendor-licenses.ts: VerifyLicense, GET /licenses) live beside them.
 *
 * The ports live in one file per role; this file only gathers them, so that `core/ports` stays the
 * one import path for every one of procure's ports (importers need not know which role file holds one).
 */

export type * from './audit-ports';
export type * from './purchase-ports';
export type * from './limit-ports';
export type * from './approval-ports';
export type * from './mail-ports';
export type * from './platform-ports';
