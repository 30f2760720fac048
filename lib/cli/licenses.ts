import { VENDORS } from '../../lambdas/core/purchase-request';
import { expectPositionals, parseCommandArgs, runCommand, TARGET_OPTIONS, TARGET_USAGE, UsageError } from './args';
import { ProcureApi, resolveApiTarget } from './api-client';
import { emit } from './output';
import { printLicenses } from './views';

/** `procure licenses [--vendor <vendor>]`: GET /licenses as a table. */
export const summary = 'the licenses the vendor accounts hold';

const USAGE = `usage: procure licenses [--vendor ${VENDORS.join('|')}] [--api URL] [--data-dir DIR] [--json]

Lists the licenses the vendor accounts hold, in one normalized shape (GET /licenses).
  --vendor V       only this vendor's licenses (default: every vendor's)
${TARGET_USAGE}`;

export async function run(argv: string[]): Promise<number> {
  return runCommand(USAGE, async () => {
    const { values, positionals } = parseCommandArgs(argv, { ...TARGET_OPTIONS, vendor: { type: 'string' } });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    expectPositionals(positionals, []);
    const vendor = values.vendor;
    if (vendor !== undefined && !(VENDORS as readonly string[]).includes(vendor)) {
      throw new UsageError(`--vendor must be one of ${VENDORS.join(', ')}, got "${vendor}"`);
    }
    const api = new ProcureApi(resolveApiTarget({ api: values.api, dataDir: values['data-dir'] }));
    const licenses = await api.listLicenses(vendor);
    emit(values.json === true, { licenses }, () => printLicenses(licenses));
    return 0;
  });
}
