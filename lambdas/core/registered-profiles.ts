import { cocalcProfile } from '../vendors/cocalc/core/profile';
import { interserverProfile } from '../vendors/interserver/core/profile';

/** The registry's profiles (`#vendors/profiles`): one for each name of `#vendors/names`, in its order (./vendors.ts checks). */
export const REGISTERED_PROFILES = [cocalcProfile, interserverProfile] as const;
