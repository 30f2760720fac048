import type { VendorQuoter } from '../../../core/vendor-quoter';
import { cocalcQuoter } from '../core/quoter';

/** CoCalc's quoter, as the registry lists it (scripts/vendor-registry.ts): its pricing calls no vendor. */
export const quoter = (): VendorQuoter<'cocalc'> => cocalcQuoter;
