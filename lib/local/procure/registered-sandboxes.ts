import { cocalcSandbox } from '../../../lambdas/vendors/cocalc/sandbox';
import { interserverSandbox } from '../../../lambdas/vendors/interserver/sandbox';

/**
 * Each vendor's sandbox part (its folder's sandbox.ts), by vendor: the registry's list of them
 * (`#vendors/sandboxes`), one for each vendor of `#vendors/names` (./sandboxes.ts checks).
 */
export const REGISTERED_SANDBOXES = { cocalc: cocalcSandbox, interserver: interserverSandbox } as const;
