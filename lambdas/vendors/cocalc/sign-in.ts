import type { VendorSignIn } from '../../../lib/cli/doctor/vendor-sign-in';
import { VendorAuthError } from '../../core/errors';
import { createCocalcGateway } from './adapters/undici-cocalc-gateway';

/**
 * CoCalc's sign-in check for `procure doctor` (lib/cli/doctor/vendor-sign-in.ts): `user-query`
 * (accounts get; cocalc-api-v2.md §1, §3: a bad key is answered "anonymous", never 401).
 */
export const cocalcSignIn: VendorSignIn<'cocalc'> = {
  vendor: 'cocalc',
  name: 'vendor: CoCalc key (user-query)',
  where: (settings) => settings.cocalcBaseUrl ?? '',
  unreachable: { detail: 'cannot check the key at', fix: 'check cocalcBaseUrl and that CoCalc is reachable from here' },
  async check(settings, secret) {
    const baseUrl = settings.cocalcBaseUrl ?? '';
    try {
      const account = await createCocalcGateway({ baseUrl, apiKey: secret.apiKey ?? '', checkoutMode: 'current' }).verifyKey();
      return { ok: true, detail: `signed in at ${baseUrl} as account ${account.accountId}${account.email ? ` (${account.email})` : ''}` };
    } catch (err) {
      if (!(err instanceof VendorAuthError)) throw err;
      return {
        ok: false,
        detail: `${baseUrl} did not sign the key in`,
        error: err,
        credentials: 'create an API key of the paying account (CoCalc: Account -> API key) and store it',
      };
    }
  },
};
