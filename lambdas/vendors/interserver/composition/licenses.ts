import type { VendorLicenses } from '../../../core/vendor-licenses';
import { interserverLicenses } from '../core/licenses';
import { interserverGateway } from './gateway';

/** InterServer's license listing over its gateway, as the registry lists it (scripts/vendor-registry.ts). */
export const licenses = (): VendorLicenses<'interserver'> => interserverLicenses(interserverGateway);
