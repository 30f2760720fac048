import type { VendorLicenses } from '../../../core/vendor-licenses';
import { cocalcLicenses } from '../core/licenses';
import { cocalcGateway } from './gateway';

/** CoCalc's license listing over its gateway, as the registry lists it (scripts/vendor-registry.ts). */
export const licenses = (): VendorLicenses<'cocalc'> => cocalcLicenses(cocalcGateway);
