import type { ResolutionInput, ResolveResult } from '../../lambdas/core/resolve-purchase';
import { expectPositionals, parseCommandArgs, runCommand, TARGET_OPTIONS, TARGET_USAGE, UsageError } from './args';
import { ApiError, ProcureApi, resolveApiTarget } from './api-client';
import { emit } from './output';
import { printFields } from './views';

/** `procure resolve <purchaseId> --bought <licenseId> | --not-bought [--comment text]`. */
export const summary = "record a person's finding on a NEEDS_ATTENTION purchase";

const USAGE = `usage: procure resolve <purchaseId> (--bought LICENSE_ID | --not-bought) [--comment TEXT] [--api URL] [--data-dir DIR] [--json]

Records what you found at the vendor for a purchase that ended NEEDS_ATTENTION (the attention mail
says what to check), signed with your AWS identity (POST /purchases/{id}/resolution):
  --bought LICENSE_ID   the vendor did sell it: the purchase becomes COMPLETED with this license
                        and its budget reservation is committed (counted as spent)
  --not-bought          nothing was bought: the purchase becomes FAILED and its budget is released
  --comment TEXT        what you checked, kept in the audit trail
Only a purchase in NEEDS_ATTENTION can be resolved, once; repeating the same finding is harmless.
${TARGET_USAGE}`;

/** The request body from the options, or a usage error. */
export function resolutionOf(values: { bought?: string | undefined; 'not-bought'?: boolean | undefined; comment?: string | undefined }): ResolutionInput {
  const comment = values.comment !== undefined ? { comment: values.comment } : {};
  if (values.bought !== undefined && values['not-bought']) throw new UsageError('give either --bought LICENSE_ID or --not-bought, not both');
  if (values.bought !== undefined) {
    if (values.bought.trim() === '') throw new UsageError('--bought needs the license id you found at the vendor');
    return { finding: 'bought', licenseId: values.bought.trim(), ...comment };
  }
  if (values['not-bought']) return { finding: 'not-bought', ...comment };
  throw new UsageError('say what you found: --bought LICENSE_ID or --not-bought');
}

export async function run(argv: string[]): Promise<number> {
  return runCommand(USAGE, async () => {
    const { values, positionals } = parseCommandArgs(argv, {
      ...TARGET_OPTIONS,
      bought: { type: 'string' },
      'not-bought': { type: 'boolean' },
      comment: { type: 'string' },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const [purchaseId] = expectPositionals(positionals, ['purchaseId']);
    const resolution = resolutionOf(values);
    const api = new ProcureApi(resolveApiTarget({ api: values.api, dataDir: values['data-dir'] }));
    let result: ResolveResult;
    try {
      result = await api.resolvePurchase(purchaseId!, resolution);
    } catch (err) {
      if (err instanceof ApiError && err.reasons.length) throw new Error(`${err.message} (${err.reasons.join('; ')})`);
      throw err;
    }
    emit(values.json === true, result, () => {
      const r = result.resolution;
      printFields([
        ['purchase', result.purchaseId],
        ['status', result.status],
        ['finding', r.finding === 'bought' ? `bought, license ${r.licenseId}` : 'nothing was bought'],
        ['budget', result.budget],
        ['by', r.actor],
        ['comment', r.comment],
        ['note', result.alreadyResolved ? `this finding was already recorded at ${r.at}; nothing changed twice` : undefined],
      ]);
    });
    return 0;
  });
}
