import type { InterserverSandbox, InterserverSandboxOptions } from '../../../lib/local/sandboxes/interserver/index';
import { vendorSandbox } from '../../../lib/local/procure/vendor-sandbox';
import { INTERSERVER_ENV } from './shared/env-names';

/** InterServer's sandbox in the local runtime (lib/local/procure/vendor-sandbox.ts): lib/local/sandboxes/interserver, its WSDL URL and SOAP endpoint for the functions. */
export const sandbox = vendorSandbox<'interserver', InterserverSandbox, InterserverSandboxOptions>({
  vendor: 'interserver',
  label: 'InterServer SOAP',
  urlVariable: INTERSERVER_ENV.WSDL_URL,
  // Its log of the requests it answered (tests count calls with it) as short as the runtime's own lists.
  start: async (options, runtime) =>
    (await import('../../../lib/local/sandboxes/interserver/index.js')).startInterserverSandbox({ keptRequests: runtime.keptInMemory, ...options }),
  wiring: (sandbox) => ({ [INTERSERVER_ENV.WSDL_URL]: sandbox.url, [INTERSERVER_ENV.ENDPOINT]: sandbox.endpoint }),
  // The SOAP endpoint goes with the WSDL URL even where the template leaves it to be derived.
  alongside: { [INTERSERVER_ENV.ENDPOINT]: INTERSERVER_ENV.WSDL_URL },
  cli: async (argv) => (await import('../../../lib/local/sandboxes/interserver/cli.js')).runInterserverSandboxCli(argv),
  sample: {
    what: 'an InterServer Softaculous license',
    request: (requestId) => ({
      requestId,
      vendor: 'interserver',
      requester: { email: 'grace@example.com', name: 'Grace Hopper' },
      reason: 'Softaculous for the new web server',
      item: { ip: '203.0.113.10', licenseType: 5006 },
    }),
  },
});
