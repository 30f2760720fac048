import type { VendorSignIn } from '../../../lib/cli/doctor/vendor-sign-in';
import { createCocalcGateway } from './adapters/undici-cocalc-gateway';

/**
 * CoCalc's sign-in check for `procure doctor` (lib/cli/doctor/vendor-sign-in.ts): `user-query`
 * (accounts get; cocalc-api-v2.md §1, §3: a bad key is answered "anonymous", never 401, which the
 * gateway turns into VendorAuthError).
 */
export const signIn: VendorSignIn<'cocalc'> = {
  vendor: 'cocalc',
  name: 'vendor: CoCalc key (user-query)',
  where: (settings) => settings.cocalcBaseUrl ?? '',
  async signIn(settings, secret) {
    const baseUrl = settings.cocalcBaseUrl ?? '';
    const account = await createCocalcGateway({ baseUrl, apiKey: secret.apiKey ?? '', checkoutMode: 'current' }).verifyKey();
    return `signed in at ${baseUrl} as account ${account.accountId}${account.email ? ` (${account.email})` : ''}`;
  },
  refused: { detail: 'did not sign the key in', credentials: 'create an API key of the paying account (CoCalc: Account -> API key) and store it' },
  unreachable: { detail: 'cannot check the key at', fix: 'check cocalcBaseUrl and that CoCalc is reachable from here' },
};
