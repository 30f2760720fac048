import type { VendorQuoter } from '../../../core/vendor-quoter';
import { interserverQuoter } from '../core/quoter';
import { interserverGateway } from './gateway';

/** InterServer's quoter over its gateway (built on the first quote), as the registry lists it (scripts/vendor-registry.ts). */
export const quoter = (): VendorQuoter<'interserver'> => interserverQuoter(interserverGateway);
