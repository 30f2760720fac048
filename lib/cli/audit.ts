import { expectPositionals, parseCommandArgs, runCommand, TARGET_OPTIONS, TARGET_USAGE } from './args';
import { ProcureApi, resolveApiTarget } from './api-client';
import { emit } from './output';
import { printAuditTrail } from './views';

/** `procure audit <purchaseId>`: the purchase's append-only audit trail, oldest first. */
export const summary = "a purchase's audit trail";

const USAGE = `usage: procure audit <purchaseId> [--api URL] [--data-dir DIR] [--json]

Prints the purchase's audit trail, oldest first (GET /purchases/{id}); --json includes every
entry's structured detail.
${TARGET_USAGE}`;

export async function run(argv: string[]): Promise<number> {
  return runCommand(USAGE, async () => {
    const { values, positionals } = parseCommandArgs(argv, TARGET_OPTIONS);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const [purchaseId] = expectPositionals(positionals, ['purchaseId']);
    const api = new ProcureApi(resolveApiTarget({ api: values.api, dataDir: values['data-dir'] }));
    const purchase = await api.getPurchase(purchaseId!);
    emit(values.json === true, purchase.audit, () => {
      console.log(`Audit trail of ${purchase.purchaseId} (status ${purchase.status ?? 'unknown'}):`);
      printAuditTrail(purchase.audit);
    });
    return 0;
  });
}
