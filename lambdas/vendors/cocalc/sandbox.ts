import type { CocalcSandbox, CocalcSandboxOptions } from '../../../lib/local/sandboxes/cocalc/index';
import { vendorSandbox } from '../../../lib/local/procure/vendor-sandbox';
import { ENV } from '../../shared/env-names';

/** CoCalc's sandbox in the local runtime (lib/local/procure/vendor-sandbox.ts): lib/local/sandboxes/cocalc, its base URL for the functions. */
export const cocalcSandbox = vendorSandbox<'cocalc', CocalcSandbox, CocalcSandboxOptions>({
  vendor: 'cocalc',
  label: 'CoCalc API v2',
  urlVariable: ENV.COCALC_BASE_URL,
  start: async (options) => (await import('../../../lib/local/sandboxes/cocalc/index.js')).startCocalcSandbox(options),
  wiring: (sandbox) => ({ [ENV.COCALC_BASE_URL]: sandbox.url }),
});
