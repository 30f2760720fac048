import { REGISTERED_SIGN_INS } from '#vendors/sign-ins';
import { VENDORS, vendorLabel, type Vendor } from '../../../lambdas/core/vendor-names';
import { errorText, fail, pass, type CheckResult } from './check';
import { secretFix, type SecretValues } from './secret-checks';
import type { DoctorTarget } from './target';
import type { VendorSignIn } from './vendor-sign-in';

/**
 * The vendor credentials, checked with each vendor's read-only sign-in call through procure's own
 * gateway (its sign-in.ts, ./vendor-sign-in.ts; listed in `#vendors/sign-ins`). Nothing is bought,
 * carted or changed.
 */
export async function checkVendors(t: DoctorTarget, secrets: SecretValues): Promise<CheckResult[]> {
  const checks = VENDORS.flatMap((vendor) => {
    const signIn: VendorSignIn | null = (REGISTERED_SIGN_INS as { readonly [V in Vendor]: VendorSignIn<V> | null })[vendor];
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
    const outcome = await signIn.check(settings, secret);
    if (outcome.ok) return pass(name, outcome.detail);
    return fail(name, `${outcome.detail}: ${errorText(outcome.error)}`, `${outcome.credentials}: ${secretFix(t, vendor)}`);
  } catch (err) {
    return fail(name, `${signIn.unreachable.detail} ${signIn.where(settings)}: ${errorText(err)}`, signIn.unreachable.fix);
  }
}
