import { describe, expect, it } from 'vitest';
import { UsageError } from '../../lib/cli/args';
import { elsewhereEnv, parseHttpUrl, vendorsElsewhere } from '../../lib/cli/local-options';
import { elsewhereWiring } from '../../lib/local/procure/sandboxes';
import { interserverConfig } from '../../lambdas/vendors/interserver/shared/config';

describe('procure local: a vendor reached elsewhere (PROCURE_<its URL variable>)', () => {
  it('is unset (the built-in sandbox) or an http(s) URL, kept without a trailing slash', () => {
    expect(parseHttpUrl(undefined, 'X')).toBeUndefined();
    expect(parseHttpUrl(' ', 'X')).toBeUndefined();
    expect(parseHttpUrl('http://127.0.0.1:4100/api/v2/', 'X')).toBe('http://127.0.0.1:4100/api/v2');
    expect(parseHttpUrl('https://cocalc.com/api/v2', 'X')).toBe('https://cocalc.com/api/v2');
    for (const bad of ['cocalc.com', 'ftp://cocalc.com/api/v2']) expect(() => parseHttpUrl(bad, 'PROCURE_X')).toThrow(/PROCURE_X must be an http\(s\) URL/);
  });

  it("reads each vendor's variable from its sandbox part, and names the variable it sets and the one that set it", () => {
    expect(elsewhereEnv('COCALC_BASE_URL')).toBe('PROCURE_COCALC_BASE_URL');
    expect(vendorsElsewhere({})).toEqual({});
    expect(vendorsElsewhere({ PROCURE_COCALC_BASE_URL: 'http://127.0.0.1:4100/api/v2/', PROCURE_INTERSERVER_WSDL_URL: '' })).toEqual({
      cocalc: { url: 'http://127.0.0.1:4100/api/v2', variable: 'COCALC_BASE_URL', setBy: 'PROCURE_COCALC_BASE_URL' },
    });
    expect(vendorsElsewhere({ PROCURE_INTERSERVER_WSDL_URL: 'http://127.0.0.1:4200/api.php?wsdl' })).toEqual({
      interserver: { url: 'http://127.0.0.1:4200/api.php?wsdl', variable: 'INTERSERVER_WSDL_URL', setBy: 'PROCURE_INTERSERVER_WSDL_URL' },
    });
    expect(() => vendorsElsewhere({ PROCURE_INTERSERVER_WSDL_URL: 'soap.example' })).toThrow(UsageError);
  });

  it("points a vendor's functions at the URL, and clears what goes along with it so that it is derived from the URL", () => {
    expect(elsewhereWiring('cocalc', 'http://127.0.0.1:4100/api/v2')).toEqual({ COCALC_BASE_URL: 'http://127.0.0.1:4100/api/v2' });
    // A configured SOAP endpoint would still be the real vendor's: empty, InterServer's config derives it from the WSDL URL.
    expect(elsewhereWiring('interserver', 'http://127.0.0.1:4200/api.php?wsdl')).toEqual({
      INTERSERVER_WSDL_URL: 'http://127.0.0.1:4200/api.php?wsdl',
      INTERSERVER_ENDPOINT: '',
    });
    expect(
      interserverConfig({
        ...elsewhereWiring('interserver', 'http://127.0.0.1:4200/api.php?wsdl'),
        INTERSERVER_SECRET_ARN: 'arn',
        INTERSERVER_PAYMENT_POLICY: 'leave-unpaid',
      }).endpoint,
    ).toBe('http://127.0.0.1:4200/api.php');
  });
});
