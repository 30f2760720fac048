import type { VendorSignIn } from '../../../lib/cli/doctor/vendor-sign-in';
import { createInterserverGateway } from './adapters';

/**
 * InterServer's sign-in check for `procure doctor` (lib/cli/doctor/vendor-sign-in.ts): `api_login`
 * (interserver-soap.md §4: a refused login is a blank session id, which the gateway turns into
 * VendorAuthError).
 */
export const signIn: VendorSignIn<'interserver'> = {
  vendor: 'interserver',
  name: 'vendor: InterServer login (api_login)',
  where: (settings) => settings.interserverWsdlUrl ?? '',
  async signIn(settings, secret) {
    const wsdlUrl = settings.interserverWsdlUrl ?? '';
    const endpoint = settings.interserverEndpoint;
    await createInterserverGateway({ wsdlUrl, ...(endpoint ? { endpoint } : {}), username: secret.username ?? '', password: secret.password ?? '' }).login();
    return `${wsdlUrl} accepted the login`;
  },
  refused: {
    detail: 'refused the login',
    credentials: 'store the my.interserver.net login (the password or an API key) and allow API access for the account',
  },
  unreachable: { detail: 'cannot log in at', fix: 'check interserverWsdlUrl / interserverEndpoint and that InterServer is reachable from here' },
};
