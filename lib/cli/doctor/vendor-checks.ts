import { REGISTERED_SIGN_INS } from '#vendors/sign-ins';
import { VendorAuthError } from '../../../lambdas/core/errors';
import { VENDORS, vendorLabel, type Vendor } from '../../../lambdas/core/vendor-names';
import { errorText, fail, pass, type CheckResult } from './check';
import { secretFix, type SecretValues } from './secret-checks';
import type { DoctorTarget } from './target';
import type { VendorSignIn } from './vendor-sign-in';

/** Each vendor's sign-in check, or null for none. */
export type SignInsByVendor = { readonly [V in Vendor]: VendorSignIn<V> | null };

/** The registry's, which this type requires for every vendor of `#vendors/names`. */
const SIGN_INS: SignInsByVendor = REGISTERED_SIGN_INS;

/**
 * The vendor credentials, checked with each vendor's read-only sign-in call through procure's own
 * gateway (its sign-in.ts, ./vendor-sign-in.ts; listed in `#vendors/sign-ins`). Nothing is bought,
 * carted or changed.
 */
export async function checkVendors(t: DoctorTarget, secrets: SecretValues, signIns: SignInsByVendor = SIGN_INS): Promise<CheckResult[]> {
  const checks = VENDORS.flatMap((vendor) => {
    const signIn: VendorSignIn | null = signIns[vendor];
    return signIn ? [checkVendor(t, secrets, signIn)] : [];
  });
  return Promise.all(checks);
}

async function checkVendor(t: DoctorTarget, secrets: SecretValues, signIn: VendorSignIn): Promise<CheckResult> {
  const { vendor, name } = signIn;
  const label = vendorLabel(vendor);
  const secret = secrets[vendor];
  if (!secret) return fail(name, `not checked: the ${label} secret is not usable (above)`, `fix the ${label} secret first`);
  const { settings } = t.resources;
  try {
    return pass(name, await signIn.signIn(settings, secret));
  } catch (err) {
    const where = signIn.where(settings);
    if (err instanceof VendorAuthError) {
      return fail(name, `${where} ${signIn.refused.detail}: ${errorText(err)}`, `${signIn.refused.credentials}: ${secretFix(t, vendor)}`);
    }
    return fail(name, `${signIn.unreachable.detail} ${where}: ${errorText(err)}`, signIn.unreachable.fix);
  }
}
