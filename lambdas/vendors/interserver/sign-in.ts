import type { VendorSignIn } from '../../../lib/cli/doctor/vendor-sign-in';
import { VendorAuthError } from '../../core/errors';
import { createInterserverGateway } from './adapters';

/**
 * InterServer's sign-in check for `procure doctor` (lib/cli/doctor/vendor-sign-in.ts): `api_login`
 * (interserver-soap.md §4: a refused login is a blank session id).
 */
export const interserverSignIn: VendorSignIn<'interserver'> = {
  vendor: 'interserver',
  name: 'vendor: InterServer login (api_login)',
  where: (settings) => settings.interserverWsdlUrl ?? '',
  unreachable: { detail: 'cannot log in at', fix: 'check interserverWsdlUrl / interserverEndpoint and that InterServer is reachable from here' },
  async check(settings, secret) {
    const wsdlUrl = settings.interserverWsdlUrl ?? '';
    const endpoint = settings.interserverEndpoint;
    try {
      await createInterserverGateway({ wsdlUrl, ...(endpoint ? { endpoint } : {}), username: secret.username ?? '', password: secret.password ?? '' }).login();
      return { ok: true, detail: `${wsdlUrl} accepted the login` };
    } catch (err) {
      if (!(err instanceof VendorAuthError)) throw err;
      return {
        ok: false,
        detail: `${wsdlUrl} refused the login`,
        error: err,
        credentials: 'store the my.interserver.net login (the password or an API key) and allow API access for the account',
      };
    }
  },
};
