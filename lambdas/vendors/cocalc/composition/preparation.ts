import type { VendorPreparation } from '../../../core/vendor-preparation';
import { cocalcPreparation } from '../core/first-add';
import { cartAddDeps } from './cart-add';

/** What CoCalc prepares before approval (its item parked in the cart), as the registry lists it (scripts/vendor-registry.ts). */
export const preparation = (): VendorPreparation<'cocalc'> => cocalcPreparation(cartAddDeps());
