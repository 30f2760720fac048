import { describe, expect, it } from 'vitest';
import { VendorAuthError, VendorTransientError } from '../../lambdas/core/errors';
import type { DoctorTarget } from '../../lib/cli/doctor/target';
import { checkVendors, type SignInsByVendor } from '../../lib/cli/doctor/vendor-checks';
import type { VendorSignIn } from '../../lib/cli/doctor/vendor-sign-in';

/**
 * `procure doctor`'s vendor lines from each vendor's sign-in (lib/cli/doctor/vendor-sign-in.ts):
 * the generic check tells signed in, refused, unreachable and no usable secret apart the same way
 * for every vendor. The sign-ins here are stand-ins that answer as told (the real ones, against
 * the sandboxes: test/e2e/cli-doctor.test.ts and the Fixture Vendor's e2e).
 */
const target = {
  kind: 'deployment',
  resources: {
    settings: { interserverWsdlUrl: 'https://soap.acme.test/api.php?wsdl' },
    secrets: { interserver: 'arn:aws:secretsmanager:eu-west-1:1:secret:is' },
  },
} as unknown as DoctorTarget;

function signInThat(answer: () => Promise<string>): VendorSignIn<'interserver'> {
  return {
    vendor: 'interserver',
    name: 'vendor: InterServer login (api_login)',
    where: (settings) => settings.interserverWsdlUrl ?? '',
    signIn: answer,
    refused: { detail: 'refused the login', credentials: 'store the login' },
    unreachable: { detail: 'cannot log in at', fix: 'check interserverWsdlUrl' },
  };
}
const only = (signIn: VendorSignIn<'interserver'>): SignInsByVendor => ({ cocalc: null, interserver: signIn });
const secrets = { interserver: { username: 'u', password: 'p' }, sensitive: ['p'] };

describe("procure doctor's vendor checks", () => {
  it('passes with what the sign-in said', async () => {
    expect(await checkVendors(target, secrets, only(signInThat(async () => 'https://soap.acme.test/api.php?wsdl accepted the login')))).toEqual([
      { name: 'vendor: InterServer login (api_login)', ok: true, detail: 'https://soap.acme.test/api.php?wsdl accepted the login' },
    ]);
  });

  it('names a refusal (VendorAuthError) and says how to get and store good credentials', async () => {
    const [line] = await checkVendors(
      target,
      secrets,
      only(signInThat(async () => Promise.reject(new VendorAuthError('InterServer api_login: blank session')))),
    );
    expect(line).toMatchObject({
      ok: false,
      detail: 'https://soap.acme.test/api.php?wsdl refused the login: VendorAuthError: InterServer api_login: blank session',
    });
    expect(line!.fix).toMatch(/^store the login: aws secretsmanager put-secret-value --secret-id arn:aws:secretsmanager:eu-west-1:1:secret:is /);
  });

  it('tells a vendor it could not ask from a refusal', async () => {
    const [line] = await checkVendors(target, secrets, only(signInThat(async () => Promise.reject(new VendorTransientError('InterServer: ECONNREFUSED')))));
    expect(line).toEqual({
      name: 'vendor: InterServer login (api_login)',
      ok: false,
      detail: 'cannot log in at https://soap.acme.test/api.php?wsdl: VendorTransientError: InterServer: ECONNREFUSED',
      fix: 'check interserverWsdlUrl',
    });
  });

  it('does not sign in without a usable secret, and skips a vendor without a check', async () => {
    let called = false;
    const lines = await checkVendors(target, { sensitive: [] }, only(signInThat(async () => ((called = true), 'x'))));
    expect(lines).toEqual([
      {
        name: 'vendor: InterServer login (api_login)',
        ok: false,
        detail: 'not checked: the InterServer secret is not usable (above)',
        fix: 'fix the InterServer secret first',
      },
    ]);
    expect(called).toBe(false);
  });
});
