import type { CocalcSandbox, CocalcSandboxOptions } from '../../../lib/local/sandboxes/cocalc/index';
import { vendorSandbox } from '../../../lib/local/procure/vendor-sandbox';
import { COCALC_ENV } from './shared/env-names';

/** CoCalc's sandbox in the local runtime (lib/local/procure/vendor-sandbox.ts): lib/local/sandboxes/cocalc, its base URL for the functions. */
export const sandbox = vendorSandbox<'cocalc', CocalcSandbox, CocalcSandboxOptions>({
  vendor: 'cocalc',
  label: 'CoCalc API v2',
  urlVariable: COCALC_ENV.BASE_URL,
  start: async (options) => (await import('../../../lib/local/sandboxes/cocalc/index.js')).startCocalcSandbox(options),
  wiring: (sandbox) => ({ [COCALC_ENV.BASE_URL]: sandbox.url }),
  cli: async (argv) => (await import('../../../lib/local/sandboxes/cocalc/cli.js')).runCocalcSandboxCli(argv),
  sample: {
    what: 'a CoCalc site license',
    request: (requestId) => ({
      requestId,
      vendor: 'cocalc',
      requester: { email: 'ada@example.com', name: 'Ada Lovelace' },
      reason: 'Course project for CS101',
      item: { description: { user: 'academic', period: 'monthly', run_limit: 2, ram: 4, cpu: 1, disk: 10, member: true, uptime: 'short' } },
    }),
  },
});
