import type { VendorLeftovers } from '../../../core/vendor-leftovers';
import { cocalcLeftovers } from '../core/leftovers';
import { cocalcGateway } from './gateway';

/** What CoCalc's preparation leaves (its tagged cart item), as the registry lists it (scripts/vendor-registry.ts). */
export const leftovers = (): VendorLeftovers<'cocalc'> => cocalcLeftovers(cocalcGateway);
