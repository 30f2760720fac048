import { createCocalcGateway } from '../../../lambdas/vendors/cocalc/adapters/undici-cocalc-gateway';
import { createInterserverGateway } from '../../../lambdas/vendors/interserver/adapters';
import { VendorAuthError } from '../../../lambdas/core/errors';
import { errorText, fail, pass, type CheckResult } from './check';
import { secretFix, type SecretValues } from './secret-checks';
import type { DoctorTarget } from './target';

/**
 * The vendor credentials, checked with each vendor's read-only sign-in call through procure's own
 * gateways: CoCalc `user-query` (accounts get; cocalc-api-v2.md §1, §3: a bad key is answered
 * "anonymous", never 401) and InterServer `api_login` (interserver-soap.md §4: a refused login is a
 * blank session id). Nothing is bought, carted or changed.
 */
export async function checkVendors(t: DoctorTarget, secrets: SecretValues): Promise<CheckResult[]> {
  return Promise.all([checkCocalc(t, secrets), checkInterserver(t, secrets)]);
}

async function checkCocalc(t: DoctorTarget, secrets: SecretValues): Promise<CheckResult> {
  const name = 'vendor: CoCalc key (user-query)';
  const baseUrl = t.resources.settings.cocalcBaseUrl ?? '';
  if (!secrets.cocalc) return fail(name, 'not checked: the CoCalc secret is not usable (above)', 'fix the CoCalc secret first');
  try {
    const account = await createCocalcGateway({ baseUrl, apiKey: (secrets.cocalc as { apiKey: string }).apiKey, checkoutMode: 'current' }).verifyKey();
    return pass(name, `signed in at ${baseUrl} as account ${account.accountId}${account.email ? ` (${account.email})` : ''}`);
  } catch (err) {
    if (err instanceof VendorAuthError) {
      return fail(
        name,
        `${baseUrl} did not sign the key in: ${errorText(err)}`,
        `create an API key of the paying account (CoCalc: Account -> API key) and store it: ${secretFix(t, 'cocalc')}`,
      );
    }
    return fail(name, `cannot check the key at ${baseUrl}: ${errorText(err)}`, 'check cocalcBaseUrl and that CoCalc is reachable from here');
  }
}

async function checkInterserver(t: DoctorTarget, secrets: SecretValues): Promise<CheckResult> {
  const name = 'vendor: InterServer login (api_login)';
  const wsdlUrl = t.resources.settings.interserverWsdlUrl ?? '';
  if (!secrets.interserver) return fail(name, 'not checked: the InterServer secret is not usable (above)', 'fix the InterServer secret first');
  try {
    const endpoint = t.resources.settings.interserverEndpoint;
    const gateway = createInterserverGateway({
      wsdlUrl,
      ...(endpoint ? { endpoint } : {}),
      ...(secrets.interserver as { username: string; password: string }),
    });
    await gateway.login();
    return pass(name, `${wsdlUrl} accepted the login`);
  } catch (err) {
    if (err instanceof VendorAuthError) {
      return fail(
        name,
        `${wsdlUrl} refused the login: ${errorText(err)}`,
        `store the my.interserver.net login (the password or an API key) and allow API access for the account: ${secretFix(t, 'interserver')}`,
      );
    }
    return fail(
      name,
      `cannot log in at ${wsdlUrl}: ${errorText(err)}`,
      'check interserverWsdlUrl / interserverEndpoint and that InterServer is reachable from here',
    );
  }
}
