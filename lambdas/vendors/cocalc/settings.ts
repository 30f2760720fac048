import { z } from 'zod';
import { httpUrl } from '../../../lib/config-fields';
import { vendorSettings } from '../../../lib/vendor-setting';
import { COCALC_CHECKOUT_MODES } from './core/checkout-mode';
import { COCALC_ENV } from './shared/env-names';

/** CoCalc's configuration settings (lib/vendor-setting.ts): where its API is, and which checkout call it takes. */
export const cocalcSettings = vendorSettings({
  /** CoCalc API v2 base URL. */
  cocalcBaseUrl: {
    schema: httpUrl,
    default: 'https://cocalc.com/api/v2',
    variable: COCALC_ENV.BASE_URL,
    output: { name: 'CocalcBaseUrl', description: 'CoCalc API the functions call' },
  },
  /** CoCalc checkout call: `current` (shopping/cart/checkout) or `legacy` (the older endpoint). */
  cocalcCheckoutMode: { schema: z.enum(COCALC_CHECKOUT_MODES), default: 'current', variable: COCALC_ENV.CHECKOUT_MODE },
});

/** The name the registry imports it by (scripts/vendor-registry.ts). */
export { cocalcSettings as settings };
